package dev.damselfly.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LabNodeTest {
    @Test
    void startsNodesWithTheLaunchersC2Thresholds() throws Exception {
        String line = Files.readAllLines(Path.of("..", "damselfly")).stream().filter(l -> l.startsWith("JIT_DEFAULTS="))
                .findFirst().orElseThrow();
        assertEquals(line.substring(line.indexOf('"') + 1, line.lastIndexOf('"')), String.join(" ", LabNode.JIT_OPTIONS));
        assertEquals(LabNode.JIT_OPTIONS, LabNode.jvmOptions(), "without cluster.nodeJvmOptions");
    }

    @Test
    void clusterNodeJvmOptionsReplaceThem() {
        System.setProperty("cluster.nodeJvmOptions", " -XX:Tier4InvocationThreshold=5000  -Xmx300m ");
        try {
            assertEquals(java.util.List.of("-XX:Tier4InvocationThreshold=5000", "-Xmx300m"), LabNode.jvmOptions());
        } finally {
            System.clearProperty("cluster.nodeJvmOptions");
        }
    }
}

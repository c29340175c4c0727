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
    }
}

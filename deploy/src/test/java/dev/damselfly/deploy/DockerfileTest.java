package dev.damselfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node image's Dockerfile, checked without building it (no registry for the base image is reachable
 * here): what it copies is what the build makes, it runs the node contract's command, and it exposes the
 * ports the chart declares.
 */
class DockerfileTest {
    /**
     * The node contract's command: {@code java --add-modules jdk.incubator.vector -jar damselfly.jar node --config
     * /etc/damselfly/damselfly.yaml} (the module for vector BLAKE3, as the launcher gives the node).
     */
    static final List<String> CONTRACT_COMMAND = List.of("java", "--add-modules", "jdk.incubator.vector", "-jar",
            "/opt/damselfly/damselfly.jar", "node", "--config", "/etc/damselfly/damselfly.yaml");
    /** Where the contract's arguments (after the jar) start in {@link #CONTRACT_COMMAND}. */
    static final int CONTRACT_ARGS = CONTRACT_COMMAND.indexOf("node");

    /** One instruction: keyword (upper case) and the rest of the logical line. */
    record Instruction(String keyword, String args) {
    }

    @TempDir
    static Path tmp;
    static List<Instruction> instructions;
    static RenderedChart chart;

    @BeforeAll
    static void parse() throws IOException {
        instructions = instructions(Files.readString(Repo.DOCKERFILE, StandardCharsets.UTF_8));
        chart = RenderedChart.render(tmp, "");
    }

    /** The Dockerfile's instructions: comments dropped, backslash continuations joined. */
    static List<Instruction> instructions(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && logical.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                logical.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            logical.append(trimmed);
            String full = logical.toString().strip();
            logical.setLength(0);
            if (full.isEmpty()) {
                continue;
            }
            String[] parts = full.split("\\s+", 2);
            out.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
        }
        return out;
    }

    static List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).collect(Collectors.toList());
    }

    static Instruction only(String keyword) {
        List<Instruction> found = all(keyword);
        assertEquals(1, found.size(), "number of " + keyword + " instructions");
        return found.get(0);
    }

    static List<String> execForm(Instruction instruction) throws IOException {
        assertTrue(instruction.args().startsWith("["), instruction.keyword() + " must use the exec (JSON) form: " + instruction.args());
        return RenderedChart.JSON.readValue(instruction.args(), new TypeReference<List<String>>() { });
    }

    @Test
    void parserJoinsContinuationsAndSkipsComments() {
        List<Instruction> parsed = instructions("# c\nFROM a\nRUN x \\\n    y\n\nEXPOSE 1 2\n");
        assertEquals(List.of(new Instruction("FROM", "a"), new Instruction("RUN", "x  y"), new Instruction("EXPOSE", "1 2")), parsed);
    }

    @Test
    void isOneBookwormSlimStageWithJavaFuseAndCertificates() {
        assertEquals("debian:bookworm-slim", only("FROM").args());
        String run = String.join(" ", all("RUN").stream().map(Instruction::args).toList());
        for (String pkg : List.of("openjdk-17-jre-headless", "libfuse2", "fuse", "ca-certificates")) {
            assertTrue(Arrays.asList(run.split("\\s+")).contains(pkg), "package " + pkg + " is not installed");
        }
        assertTrue(run.contains("--no-install-recommends"), "keep the image small");
        assertTrue(run.contains("rm -rf /var/lib/apt/lists/*"), "apt lists removed in the same layer");
        for (Instruction user : all("USER")) {
            assertTrue(Set.of("root", "0").contains(user.args()), "FUSE mounts need root, got USER " + user.args());
        }
    }

    @Test
    void copiesWhatTheBuildMakes() throws IOException {
        Instruction copy = only("COPY");
        List<String> args = Arrays.asList(copy.args().split("\\s+"));
        assertEquals(List.of("peer/target/damselfly.jar", "/opt/damselfly/damselfly.jar"), args);
        // The path is the peer module's shaded jar (its finalName), relative to the repository root.
        assertTrue(Files.isDirectory(Repo.ROOT.resolve("peer")), "peer module");
        String peerPom = Files.readString(Repo.ROOT.resolve("peer/pom.xml"), StandardCharsets.UTF_8);
        assertTrue(peerPom.contains("<finalName>damselfly</finalName>"), "peer/pom.xml no longer names its jar damselfly");
        assertTrue(peerPom.contains("maven-shade-plugin"), "peer/pom.xml no longer builds a fat jar");
        // Only the jar is sent as build context, and it is.
        List<String> ignore = Files.readAllLines(Repo.DOCKERFILE.resolveSibling("Dockerfile.dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(List.of("*", "!peer/target/damselfly.jar"), ignore);
    }

    @Test
    void runsTheContractCommand() throws IOException {
        List<String> command = new ArrayList<>(execForm(only("ENTRYPOINT")));
        command.addAll(execForm(only("CMD")));
        assertEquals(CONTRACT_COMMAND, command);
        // The chart passes the same arguments to the same entrypoint.
        List<String> chartArgs = RenderedChart.strings(chart.nodeContainer().path("args"));
        assertEquals(CONTRACT_COMMAND.subList(CONTRACT_ARGS, CONTRACT_COMMAND.size()), chartArgs.subList(0, 3));
        assertEquals(execForm(only("CMD")), chartArgs.subList(0, 3));
    }

    @Test
    void givesTheNodeTheLaunchersC2Thresholds() throws IOException {
        String line = Files.readAllLines(Repo.ROOT.resolve("damselfly")).stream()
                .filter(l -> l.startsWith("JIT_DEFAULTS=")).findFirst().orElseThrow();
        String launcher = line.substring(line.indexOf('"'));
        assertEquals("JDK_JAVA_OPTIONS=" + launcher, only("ENV").args());
        assertTrue(launcher.contains("-XX:Tier4InvocationThreshold="), launcher);
    }

    @Test
    void exposesTheChartsContainerPorts() {
        Set<Integer> exposed = new TreeSet<>();
        for (Instruction expose : all("EXPOSE")) {
            for (String port : expose.args().split("\\s+")) {
                exposed.add(Integer.parseInt(port.replace("/tcp", "")));
            }
        }
        Set<Integer> declared = new TreeSet<>();
        for (JsonNode port : chart.nodeContainer().path("ports")) {
            declared.add(port.path("containerPort").asInt());
        }
        assertEquals(Set.of(4000, 4001, 4002, 4003, 4005), declared);
        assertEquals(declared, exposed);
    }

    @Test
    void healthCheckUsesTheHealthEndpoint() {
        Instruction health = only("HEALTHCHECK");
        Matcher url = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)(/\\S*)").matcher(health.args());
        assertTrue(url.find(), health.args());
        JsonNode probe = chart.nodeContainer().path("livenessProbe").path("httpGet");
        assertEquals(probe.path("path").asText(), url.group(2));
        assertEquals(RenderedChart.named(chart.nodeContainer().path("ports"), probe.path("port").asText()).path("containerPort").asInt(),
                Integer.parseInt(url.group(1)));
        assertFalse(health.args().contains("NONE"));
    }
}

package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./damselfly} launcher at the repository root, run for real on the built jar: {@code damselfly node}
 * gets the node's bounded heap unless the operator names one, the image builders the throughput collector unless the
 * operator names a collector, the long-running commands the vector module, every command but mount later C2 thresholds
 * unless the operator names one; a bare {@code --version} keeps the JVM's own defaults.
 */
class LauncherTest {
    private static final Pattern MAX_HEAP = Pattern.compile("-XX:MaxHeapSize=(\\d+)");
    private static final Pattern MAX_DIRECT = Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)");

    @Test
    void theNodeGetsABoundedHeapAndDirectMemoryByDefault() throws Exception {
        String flags = jvmFlags(Map.of(), "node", "--help");
        assertEquals(256L << 20, value(MAX_HEAP, flags), flags);
        assertEquals(1L << 30, value(MAX_DIRECT, flags), flags);
        String verbose = jvmFlags(Map.of(), "--verbose", "node", "--help");
        assertEquals(256L << 20, value(MAX_HEAP, verbose), "options before the command word: " + verbose);
    }

    @Test
    void anOperatorsHeapOptionWinsWhereverItIsGiven() throws Exception {
        String own = jvmFlags(Map.of("DAMSELFLY_JAVA_OPTS", "-Xmx300m"), "node", "--help");
        assertEquals(300L << 20, value(MAX_HEAP, own), own);
        assertTrue(!MAX_DIRECT.matcher(own).find(), "no direct-memory default beside the operator's heap: " + own);
        String tool = jvmFlags(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=1"), "node", "--help");
        assertTrue(value(MAX_HEAP, tool) != 256L << 20, "JAVA_TOOL_OPTIONS's heap option wins: " + tool);
    }

    @Test
    void theImageBuildersGetTheThroughputCollectorUnlessTheOperatorNamesOne() throws Exception {
        for (String command : new String[] {"build", "merge", "convert"}) {
            String flags = jvmFlags(Map.of(), command, "--help");
            assertTrue(flags.contains("-XX:+UseParallelGC"), command + ": " + flags);
            assertTrue(value(MAX_HEAP, flags) != 256L << 20, "no node heap for " + command + ": " + flags);
        }
        String own = jvmFlags(Map.of("DAMSELFLY_JAVA_OPTS", "-XX:+UseSerialGC"), "build", "--help");
        assertTrue(own.contains("-XX:+UseSerialGC") && !own.contains("-XX:+UseParallelGC"), own);
    }

    @Test
    void everyCommandButMountGetsLaterC2ThresholdsUnlessTheOperatorSetsOne() throws Exception {
        for (String command : new String[] {"node", "build", "merge", "convert", "get"}) {
            String flags = jvmFlags(Map.of(), command, "--help");
            assertTrue(flags.contains("-XX:Tier4InvocationThreshold=40000")
                    && flags.contains("-XX:Tier4CompileThreshold=50000")
                    && flags.contains("-XX:Tier4BackEdgeThreshold=200000"), command + ": " + flags);
        }
        String own = jvmFlags(Map.of("DAMSELFLY_JAVA_OPTS", "-XX:Tier4InvocationThreshold=7000"), "convert", "--help");
        assertTrue(own.contains("-XX:Tier4InvocationThreshold=7000") && !own.contains("Tier4CompileThreshold=50000"), own);
        String tool = jvmFlags(Map.of("JAVA_TOOL_OPTIONS", "-XX:Tier4BackEdgeThreshold=60000"), "node", "--help");
        assertTrue(tool.contains("-XX:Tier4BackEdgeThreshold=60000") && !tool.contains("Tier4InvocationThreshold=40000"), tool);
        String mount = jvmFlags(Map.of(), "mount", "--help");
        assertTrue(!mount.contains("Tier4"), "a mount gets no C2 thresholds: " + mount);
    }

    @Test
    void mountCompilesWithC1OnlyUnlessTheOperatorSaysOtherwise() throws Exception {
        for (String[] args : new String[][] {{"mount", "--help"}, {"mount", "--via-node", "--help"}}) {
            String flags = jvmFlags(Map.of(), args);
            assertTrue(flags.contains("-XX:TieredStopAtLevel=1"), String.join(" ", args) + ": " + flags);
        }
        for (String own : new String[] {"-XX:TieredStopAtLevel=4", "-XX:-TieredCompilation"}) {
            String flags = jvmFlags(Map.of("DAMSELFLY_JAVA_OPTS", own), "mount", "--help");
            assertTrue(!flags.contains("-XX:TieredStopAtLevel=1"), own + ": " + flags);
        }
        for (String command : new String[] {"node", "build", "convert", "--version"}) {
            String flags = jvmFlags(Map.of(), command, "--help");
            assertTrue(!flags.contains("TieredStopAtLevel"), command + ": " + flags);
        }
    }

    @Test
    void otherCommandsKeepTheJvmDefaults() throws Exception {
        String flags = jvmFlags(Map.of(), "--version");
        assertTrue(value(MAX_HEAP, flags) != 256L << 20, flags);
        assertTrue(!MAX_DIRECT.matcher(flags).find(), flags);
        assertTrue(!flags.contains("-XX:+UseParallelGC"), flags);
        assertTrue(!flags.contains("Tier4"), flags);
    }

    @Test
    void theNodeGetsTheVectorModuleForBlake3() throws Exception {
        String node = output(Map.of(), "node", "--help");
        assertTrue(node.contains("Using incubator modules: jdk.incubator.vector"), "node: " + node);
        // mount compiles with C1 only, where the vector API is slow
        for (String command : new String[] {"mount", "build", "get", "--version"}) {
            String out = output(Map.of(), command, "--help");
            assertTrue(!out.contains("jdk.incubator.vector"), command + ": " + out);
        }
    }

    /** Runs the launcher with -XX:+PrintCommandLineFlags added and returns the JVM's flag line. */
    private static String jvmFlags(Map<String, String> env, String... args) throws IOException, InterruptedException {
        String out = output(env, args);
        return out.lines().filter(l -> l.contains("-XX:MaxHeapSize=")).findFirst()
                .orElseThrow(() -> new AssertionError("no JVM flag line in: " + out));
    }

    /** Runs the launcher with -XX:+PrintCommandLineFlags added and returns its output and error streams, merged. */
    private static String output(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path launcher = Path.of("..", "damselfly").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(launcher), "launcher at " + launcher);
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().put("DAMSELFLY_JAR", DamselflyProcess.jar().toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        String own = env.getOrDefault("DAMSELFLY_JAVA_OPTS", "");
        pb.environment().put("DAMSELFLY_JAVA_OPTS", (own + " -XX:+PrintCommandLineFlags").trim());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static long value(Pattern p, String flags) {
        Matcher m = p.matcher(flags);
        assertTrue(m.find(), p + " in " + flags);
        return Long.parseLong(m.group(1));
    }
}

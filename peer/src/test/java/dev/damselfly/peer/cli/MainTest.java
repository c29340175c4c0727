package dev.damselfly.peer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {

    @Test
    void helpAndVersionAreAskedForAnywhereOnTheLine() {
        assertTrue(Main.asksForHelp("mount", "--help"));
        assertTrue(Main.asksForHelp("-V"));
        assertTrue(Main.asksForHelp("mount", "img", "mnt", "-h"));
        assertFalse(Main.asksForHelp("mount", "img", "mnt", "--no-node"));
    }

    /** Every command path of the tree, e.g. [], [image], [image, copy]. */
    static Stream<List<String>> commandPaths() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(new CliEnvironment(System.out, System.err, TerminalInfo.NONE, System::nanoTime)),
                new ArrayList<>(), paths);
        return paths.stream();
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            List<String> next = new ArrayList<>(path);
            next.add(name);
            collect(sub, next, paths);
        });
    }

    @Test
    void theTreeHasTheImageVerbs() {
        List<String> names = commandPaths().map(p -> String.join(" ", p)).toList();
        assertTrue(names.containsAll(List.of("", "image", "image inspect", "image copy", "convert", "build", "inspect", "check", "mount", "umount", "proxy", "scheduler")), names::toString);
    }

    @ParameterizedTest
    @MethodSource("commandPaths")
    void helpOnEveryCommandExitsZeroAndPrintsUsage(List<String> path) {
        for (String help : List.of("--help", "-h")) {
            List<String> args = new ArrayList<>(path);
            args.add(help);
            CliRun run = CliRun.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
            String expected = "Usage: damselfly" + (path.isEmpty() ? "" : " " + String.join(" ", path));
            assertTrue(run.out().startsWith(expected), run::toString);
            assertTrue(run.out().contains("Exit status:"), run::toString);
            assertEquals("", run.err());
        }
    }

    @Test
    void versionPrintsTheProjectVersion() {
        String expected = System.getProperty("damselfly.expectedVersion");
        assertNotNull(expected, "surefire passes damselfly.expectedVersion (peer/pom.xml)");
        assertFalse(expected.contains("${"), expected);
        CliRun run = CliRun.run("--version");
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("damselfly " + expected + System.lineSeparator()), run::toString);
        assertEquals(expected, VersionProvider.version());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "image --bogus", "image inspect --bogus busybox", "image copy --frobnicate a b"})
    void unknownOptionIsAUsageError(String line) {
        CliRun run = CliRun.run(line.split(" "));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: Unknown option"), run::toString);
        assertTrue(run.err().contains("--help' for more information."), run::toString);
        assertEquals("", run.out());
    }

    @Test
    void unknownCommandIsAUsageError() {
        CliRun run = CliRun.run("imgae", "inspect", "busybox");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("Did you mean"), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy --registry docker.io --listen nowhere", "proxy --registry ftp://x",
            "proxy --registry docker.io --listen 127.0.0.1:70000", "proxy --registry docker.io --upstream-timeout 0",
            "scheduler --algorithm nonsense", "scheduler --parent-graph tree", "scheduler --listen 1.2.3.4",
            "scheduler --source-stripes 0"})
    void badProxyValuesAreUsageErrorsBeforeAnythingListens(String line) {
        CliRun run = CliRun.run(line.split(" "));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: "), run::toString);
    }

    @Test
    void everyVerbIsListedUnderItsCommandName() {
        DamselflyCommand.VERBS.forEach((name, verb) ->
                assertEquals(name, verb.getAnnotation(CommandLine.Command.class).name(), verb::getName));
    }

    @Test
    void aCommandLineNamingAVerbRegistersOnlyThatVerb() {
        CliEnvironment env = new CliEnvironment(System.out, System.err, TerminalInfo.NONE, System::nanoTime);
        assertEquals(List.of("build"), List.copyOf(Main.commandLine(env, "build", "--help").getSubcommands().keySet()));
        assertEquals(List.of("image"), List.copyOf(Main.commandLine(env, "-v", "image", "copy", "a", "b")
                .getSubcommands().keySet()));
        List<String> all = List.of("node", "get", "image", "convert", "build", "merge", "inspect", "check", "mount",
                "umount", "proxy", "scheduler");
        for (String[] args : List.of(new String[0], new String[] {"--help"}, new String[] {"imgae", "inspect"})) {
            assertEquals(all, List.copyOf(Main.commandLine(env, args).getSubcommands().keySet()), List.of(args)::toString);
        }
    }

    @Test
    void missingSubcommandIsAUsageError() {
        CliRun top = CliRun.run();
        assertEquals(ExitCodes.USAGE, top.exitCode(), top::toString);
        assertTrue(top.err().startsWith("damselfly: missing command: one of [node, get, image, convert, build, merge, inspect, check, mount, umount, proxy, scheduler]"), top::toString);
        CliRun image = CliRun.run("image");
        assertEquals(ExitCodes.USAGE, image.exitCode(), image::toString);
        assertTrue(image.err().contains("inspect") && image.err().contains("copy"), image::toString);
    }

    @Test
    void missingArgumentIsAUsageError() {
        CliRun run = CliRun.run("image", "copy", "oci:/tmp/x");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: Missing required parameter: 'DST'"), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UPPER/case:1", "host:5000/repo:bad:tag!", "repo@sha256:abc", ""})
    void invalidReferenceIsAUsageErrorWithAClearMessage(String reference) {
        CliRun run = CliRun.run("image", "inspect", reference);
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: REF: invalid image reference '" + reference + "'"), run::toString);
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run);
    }

    @Test
    void invalidDestinationReferenceNamesTheArgument() {
        CliRun run = CliRun.run("image", "copy", "oci:/does/not/matter", "Bad Name");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: DST: invalid image reference 'Bad Name'"), run::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--platform linux", "--platform a/b/c/d", "--push-chunk-size 12parsecs", "--retries -1",
        "--parallel 0", "--retries many", "--platform linux/amd64 --all"})
    void badOptionValuesAreUsageErrors(String options) {
        List<String> args = new ArrayList<>(List.of("image", "copy"));
        args.addAll(List.of(options.split(" ")));
        args.addAll(List.of("oci:/nonexistent/src", "oci:/nonexistent/dst"));
        CliRun run = CliRun.run(args.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: "), run::toString);
    }

    @Test
    void credentialsErrorsNeverEchoTheSecret() {
        CliRun run = CliRun.run("image", "inspect", "--creds", "hunter2-no-colon", "busybox");
        assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("expected USER:PASSWORD"), run::toString);
        assertFalse(run.err().contains("hunter2"), run::toString);
    }

    @Test
    void runtimeFailureIsOneLineAndExitsOne() {
        CliRun run = CliRun.run("image", "inspect", "oci:/nonexistent/layout");
        assertEquals(ExitCodes.FAILURE, run.exitCode(), run::toString);
        assertEquals("damselfly: OCI layout /nonexistent/layout: not an OCI image layout (no oci-layout file)"
                + System.lineSeparator(), run.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        for (String[] args : List.of(new String[] {"-v", "image", "inspect", "oci:/nonexistent/layout"},
                new String[] {"image", "inspect", "--verbose", "oci:/nonexistent/layout"})) {
            CliRun run = CliRun.run(args);
            assertEquals(ExitCodes.FAILURE, run.exitCode(), run::toString);
            assertTrue(run.err().startsWith("damselfly: OCI layout /nonexistent/layout"), run::toString);
            assertTrue(run.err().contains("\tat dev.damselfly."), run::toString);
        }
    }

    @org.junit.jupiter.api.Test
    void daemonsAreToldApartFromCommandsForTheirLogLevel() {
        CommandLine cl = Main.commandLine(new CliEnvironment(System.out, System.err, TerminalInfo.NONE, System::nanoTime));
        assertTrue(Main.isDaemon(cl.parseArgs("node", "--data-dir", "/tmp/damselfly-main-test")));
        assertTrue(Main.isDaemon(cl.parseArgs("scheduler")));
        assertFalse(Main.isDaemon(cl.parseArgs("get", "http://127.0.0.1/x", "-O", "/tmp/damselfly-main-test-out")));
        assertFalse(Main.isDaemon(cl.parseArgs("--version")));
    }
}

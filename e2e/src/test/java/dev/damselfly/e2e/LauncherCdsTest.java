package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class data sharing for the short commands, run for real on a copy of the built jar (so the archives
 * land in a temporary directory): a failed first run records nothing, a successful one leaves one archive named for
 * the verb, the jar and the JDK, the next run maps the project's classes from it with the same output, and help runs
 * neither record nor use one. A mount, which runs until it is stopped, records its archive when SIGTERM ends it; a
 * mount through a node records one of its own.
 */
class LauncherCdsTest {
    @TempDir
    Path tmp;

    @Test
    void theFirstSuccessfulRunRecordsAnArchiveThatTheNextRunMaps() throws Exception {
        Path jar = Files.copy(DamselflyProcess.jar(), tmp.resolve("damselfly.jar"));
        Path cds = tmp.resolve("cds");
        Path layer = layerWithHostname("cds-test\n");

        Run failed = run(jar, Map.of(), "build", tmp.resolve("missing.tar").toString(), "--bootstrap",
                tmp.resolve("x.boot").toString());
        assertNotEquals(0, failed.status, failed.out);
        assertEquals(List.of(), files(cds), "a failed run leaves no archive and no recording");

        Run first = run(jar, Map.of(), "build", layer.toString(), "--bootstrap", tmp.resolve("a.boot").toString());
        assertEquals(0, first.status, first.out);
        List<String> archives = files(cds);
        assertEquals(1, archives.size(), archives.toString());
        assertTrue(archives.get(0).matches("build-\\d+-\\d+-\\d+\\.jsa"), archives.toString());

        Run second = run(jar, Map.of("DAMSELFLY_JAVA_OPTS", "-Xlog:class+load=info:file=" + tmp.resolve("classes.log")),
                "build", layer.toString(), "--bootstrap", tmp.resolve("a.boot").toString());
        assertEquals(0, second.status, second.out);
        assertEquals(first.out, second.out, "the same output with the archive");
        String classes = Files.readString(tmp.resolve("classes.log"));
        assertTrue(classes.lines().anyMatch(l -> l.contains("dev.damselfly.rafs.build.LayerBuilder ")
                && l.contains("shared objects file (top)")), "the builder's classes come from the archive");

        Run help = run(jar, Map.of(), "merge", "--help");
        assertEquals(0, help.status, help.out);
        Run off = run(jar, Map.of("DAMSELFLY_CDS", "off"), "inspect", tmp.resolve("a.boot").toString());
        assertEquals(0, off.status, off.out);
        assertEquals(archives, files(cds), "neither help nor DAMSELFLY_CDS=off records an archive");
    }

    @Test
    void aMountStoppedBySigtermRecordsItsArchiveAndTheNextMountMapsIt() throws Exception {
        Path jar = Files.copy(DamselflyProcess.jar(), tmp.resolve("damselfly.jar"));
        Path cds = tmp.resolve("cds");
        Path layer = layerWithHostname("cds-mount-test\n");
        Path boot = tmp.resolve("image.boot");
        Path blobs = tmp.resolve("blobs");
        Run build = run(jar, Map.of("DAMSELFLY_CDS", "off"), "build", layer.toString(), "--bootstrap", boot.toString(),
                "--blob-dir", blobs.toString());
        assertEquals(0, build.status, build.out);
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));

        Run first = mountUntilTerm(jar, Map.of(), boot, blobs, mnt);
        assertEquals(143, first.status, first.out);
        List<String> archives = files(cds);
        assertEquals(1, archives.size(), archives.toString());
        assertTrue(archives.get(0).matches("mount-\\d+-\\d+-\\d+\\.jsa"), archives.toString());

        Run second = mountUntilTerm(jar, Map.of("DAMSELFLY_JAVA_OPTS", "-Xlog:class+load=info:file=" + tmp.resolve("classes.log")),
                boot, blobs, mnt);
        assertEquals(143, second.status, second.out);
        String classes = Files.readString(tmp.resolve("classes.log"));
        assertTrue(classes.lines().anyMatch(l -> l.contains("dev.damselfly.rafsmount.read.FileReader ")
                && l.contains("shared objects file (top)")), "the mount's classes come from the archive");
        assertEquals(archives, files(cds), "the archive is kept, not recorded again");
    }

    /**
     * {@code mount --via-node}, a short client asking a real node to mount, records an archive of its own (it loads
     * other classes than a mount served by its own JVM, whose archive it neither uses nor replaces) and maps it next.
     */
    @Test
    void aMountThroughTheNodeRecordsAnArchiveOfItsOwn() throws Exception {
        Path jar = Files.copy(DamselflyProcess.jar(), tmp.resolve("damselfly.jar"));
        Path cds = tmp.resolve("cds");
        Path boot = tmp.resolve("image.boot");
        Path blobs = tmp.resolve("blobs");
        Run build = run(jar, Map.of("DAMSELFLY_CDS", "off"), "build", layerWithHostname("cds-via-node-test\n").toString(),
                "--bootstrap", boot.toString(), "--blob-dir", blobs.toString());
        assertEquals(0, build.status, build.out);
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Process scheduler = DamselflyProcess.start(tmp.resolve("scheduler.err"), "scheduler", "--listen", "127.0.0.1:0");
        NodeProcess node = null;
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(scheduler.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(line != null && line.contains(":"), "the scheduler started: " + line);
            node = NodeProcess.start(tmp, "n1", "127.0.0.61", "127.0.0.1:" + line.substring(line.lastIndexOf(':') + 1).trim(),
                    List.of());
            String admin = "127.0.0.1:" + node.port("admin");
            List<String> archives = null;
            for (int i = 0; i < 2; i++) {
                Path classes = tmp.resolve("classes-" + i + ".log");
                Run mounted = run(jar, Map.of("DAMSELFLY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes), "mount",
                        boot.toString(), mnt.toString(), "--blob-dir", blobs.toString(), "--via-node", "--node", admin);
                assertEquals(0, mounted.status, mounted.out + "\n" + node.log());
                assertEquals("cds-via-node-test\n", Files.readString(mnt.resolve("etc/hostname")));
                Run umount = run(jar, Map.of(), "umount", mnt.toString(), "--node", admin);
                assertEquals(0, umount.status, umount.out);
                if (i == 0) {
                    archives = files(cds);
                    assertEquals(1, archives.size(), archives.toString());
                    assertTrue(archives.get(0).matches("mount-via-node-\\d+-\\d+-\\d+\\.jsa"), archives.toString());
                } else {
                    assertTrue(Files.readString(classes).lines().anyMatch(l -> l.contains("dev.damselfly.peer.cli.mount.MountCommand ")
                            && l.contains("shared objects file (top)")), "the client's classes come from its archive");
                    assertEquals(archives, files(cds), "the archive is kept, not recorded again");
                }
            }
        } finally {
            new ProcessBuilder("umount", "-l", mnt.toString()).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
            if (node != null) {
                node.close();
            }
            scheduler.destroy();
            scheduler.waitFor(15, TimeUnit.SECONDS);
        }
    }

    /** A layer tar holding only {@code etc/hostname} with {@code content}. */
    private Path layerWithHostname(String content) throws IOException, InterruptedException {
        Path tree = Files.createDirectories(tmp.resolve("tree/etc"));
        Files.writeString(tree.resolve("hostname"), content);
        Path layer = tmp.resolve("layer.tar");
        Process tar = new ProcessBuilder("tar", "-C", tmp.resolve("tree").toString(), "-cf", layer.toString(), ".")
                .redirectErrorStream(true).start();
        assertTrue(tar.waitFor(30, TimeUnit.SECONDS) && tar.exitValue() == 0, "tar made the layer");
        return layer;
    }

    /**
     * Starts {@code damselfly mount} through the launcher, reads the mounted file, then sends the launcher SIGTERM
     * and returns its status and output.
     */
    private Run mountUntilTerm(Path jar, Map<String, String> env, Path boot, Path blobs, Path mnt) throws Exception {
        Path log = tmp.resolve("mount-" + System.nanoTime() + ".log");
        ProcessBuilder pb = launcher(jar, env, "mount", boot.toString(), mnt.toString(), "--blob-dir", blobs.toString())
                .redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("mounted ")) {
                assertTrue(p.isAlive(), () -> "mount exited: " + read(log));
                assertTrue(System.nanoTime() < deadline, () -> "not mounted within 60 s: " + read(log));
                Thread.sleep(50);
            }
            assertEquals("cds-mount-test\n", Files.readString(mnt.resolve("etc/hostname")));
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the mount ended on SIGTERM");
            return new Run(p.exitValue(), read(log));
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            new ProcessBuilder("umount", "-l", mnt.toString()).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private record Run(int status, String out) {
    }

    /** Runs the launcher on {@code jar}; stdout and stderr merged. */
    private static Run run(Path jar, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Process p = launcher(jar, env, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "launcher finished");
        return new Run(p.exitValue(), out);
    }

    /** The launcher on {@code jar} with a clean JVM environment plus {@code env}; stdout and stderr merged. */
    private static ProcessBuilder launcher(Path jar, Map<String, String> env, String... args) {
        Path launcher = Path.of("..", "damselfly").toAbsolutePath().normalize();
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("DAMSELFLY_JAVA_OPTS");
        pb.environment().remove("DAMSELFLY_CDS");
        pb.environment().put("DAMSELFLY_JAR", jar.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        return pb;
    }

    /** Names in {@code dir}, hidden ones included (none when it does not exist). */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

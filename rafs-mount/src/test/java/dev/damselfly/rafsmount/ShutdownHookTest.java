package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM that ends with the mount still open unmounts it: on SIGTERM its shutdown hook does (and writes the
 * trace); on SIGKILL a watchdog does: the kernel transport's own, or libfuse's {@code auto_unmount} (fusermount).
 */
class ShutdownHookTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void sigtermUnmounts(FuseTransport transport) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Path trace = tmp.resolve("trace.txt");
        Process p = startChild(mp, trace, transport);
        try {
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not exit");
            assertFalse(MountTableView.mounted(mp), "stale mount after SIGTERM");
            assertEquals(List.of("/lib.rs"), Files.readAllLines(trace));
        } finally {
            cleanUp(p, mp);
        }
    }

    @ParameterizedTest
    @EnumSource(value = FuseTransport.class, names = {"KERNEL", "LIBFUSE"})
    void sigkillUnmountsThroughTheWatchdog(FuseTransport transport) throws Exception {
        Path mp = Files.createDirectory(tmp.resolve("mnt"));
        Process p = startChild(mp, tmp.resolve("trace.txt"), transport);
        try {
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not exit");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (MountTableView.mounted(mp) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertFalse(MountTableView.mounted(mp), "stale mount after SIGKILL");
        } finally {
            cleanUp(p, mp);
        }
    }

    private static void cleanUp(Process p, Path mp) throws Exception {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        if (MountTableView.mounted(mp)) {
            new ProcessBuilder("fusermount", "-u", "-z", mp.toString()).start().waitFor();
        }
    }

    /** Starts {@link MountUntilKilled} and returns once it has mounted and read a file. */
    private static Process startChild(Path mp, Path trace, FuseTransport transport) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), MountUntilKilled.class.getName(),
                Fixtures.path(Fixtures.V6_BOOT).toString(), mp.toString(), Fixtures.path(Fixtures.V6_BLOBS).toString(), trace.toString(),
                transport.name())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.equals("READY")) {
                seen.append(line).append('\n');
            }
            assertEquals("READY", line, "child output: " + seen);
            assertTrue(MountTableView.mounted(mp));
            Thread drain = new Thread(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (java.io.IOException ignored) {
                    // child gone
                }
            });
            drain.setDaemon(true);
            drain.start();
            return p;
        } catch (Throwable t) {
            cleanUp(p, mp);
            throw t;
        }
    }
}

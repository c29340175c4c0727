package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helper: mounts a bootstrap with the kernel's EROFS driver, one loop device per blob in blob-table order
 * ({@code mount -t erofs -o ro,device=LOOP1,device=LOOP2 BOOTSTRAP DIR}); {@link #close()} unmounts and
 * detaches every loop device it attached. Needs root, the erofs module and loop devices; fails (never skips)
 * without them.
 */
final class ErofsMount implements AutoCloseable {
    private final Path mountPoint;
    private final List<String> loops = new ArrayList<>();
    private final List<Path> blobs;
    private boolean mounted;

    private ErofsMount(Path mountPoint, List<Path> blobs) {
        this.mountPoint = mountPoint;
        this.blobs = blobs;
    }

    static ErofsMount mount(Path bootstrap, List<Path> blobs, Path mountPoint) throws Exception {
        Files.createDirectories(mountPoint);
        ErofsMount m = new ErofsMount(mountPoint, blobs);
        try {
            StringBuilder opts = new StringBuilder("ro");
            for (Path blob : blobs) {
                String loop = loopDevice(Processes.ok(List.of("losetup", "-f", "--show", "-r", blob.toString())));
                m.loops.add(loop);
                opts.append(",device=").append(loop);
            }
            Processes.ok(List.of("mount", "-t", "erofs", "-o", opts.toString(), bootstrap.toString(), mountPoint.toString()));
            m.mounted = true;
            return m;
        } catch (Exception | AssertionError e) {
            m.close();
            throw e;
        }
    }

    Path root() {
        return mountPoint;
    }

    @Override
    public void close() throws Exception {
        AssertionError failure = null;
        if (mounted) {
            Processes.Result u = Processes.run(List.of("umount", mountPoint.toString()));
            mounted = false;
            if (u.exit() != 0) {
                failure = new AssertionError("umount: " + u.output());
            }
        }
        for (String loop : loops) {
            Processes.Result d = Processes.run(List.of("losetup", "-d", loop));
            if (d.exit() != 0 && failure == null) {
                failure = new AssertionError("losetup -d " + loop + ": " + d.output());
            }
        }
        loops.clear();
        for (Path blob : blobs) {
            // anything still backed by our blobs is ours: detach it
            Matcher m = Pattern.compile("(?m)^(/dev/loop\\d+):").matcher(
                    Processes.run(List.of("losetup", "-j", blob.toString())).output());
            while (m.find()) {
                Processes.run(List.of("losetup", "-d", m.group(1)));
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The device name losetup printed (its output may start with a warning about the file size). */
    private static String loopDevice(String out) {
        Matcher m = Pattern.compile("(?m)^(/dev/loop\\d+)\\s*$").matcher(out);
        assertTrue(m.find(), "losetup printed no device: " + out);
        return m.group(1);
    }

    /** Runs {@code getfattr -d -m - -e hex} on {@code file}: name → {@code 0x…} value. */
    static java.util.Map<String, String> getfattr(Path file) throws Exception {
        String out = Processes.ok(List.of("getfattr", "--absolute-names", "-h", "-d", "-m", "-", "-e", "hex", file.toString()));
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "getfattr line: " + line);
            m.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertEquals(m.size(), m.keySet().stream().distinct().count());
        return m;
    }
}

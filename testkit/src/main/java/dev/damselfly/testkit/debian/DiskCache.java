package dev.damselfly.testkit.debian;

import dev.damselfly.testkit.support.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Directories built once and shared by every test class and JVM on the machine. An entry {@code ROOT/KEY}
 * either exists complete or not at all: it is built in {@code ROOT/KEY.building-UUID} and renamed into place
 * atomically. Builders of one key are serialised by a lock on {@code ROOT/KEY.lock} (an OS file lock, across
 * JVMs) and a per-key monitor (within this JVM, where file locks do not exclude threads). A failed build
 * leaves nothing behind and the next caller tries again; leftovers of a killed builder are removed by the
 * next one to hold the lock.
 */
public final class DiskCache {

    /** Builds the content of one entry into an empty directory. */
    @FunctionalInterface
    public interface Builder {
        /**
         * @param target an empty directory that becomes the entry when this returns normally
         * @throws IOException on an I/O failure (typed runtime exceptions pass through unchanged)
         */
        void build(Path target) throws IOException;
    }

    private static final ConcurrentHashMap<String, Object> MONITORS = new ConcurrentHashMap<>();

    private final Path root;

    /** @param root the cache's directory (created on first use) */
    public DiskCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** @return the cache's directory */
    public Path root() {
        return root;
    }

    /**
     * @param key entry name: letters, digits, {@code . _ -} only
     * @return where the entry is (or will be) kept
     */
    public Path path(String key) {
        if (!key.matches("[A-Za-z0-9._-]+") || key.startsWith(".")) {
            throw new IllegalArgumentException("bad cache key '" + key + "': letters, digits and . _ - only");
        }
        return root.resolve(key);
    }

    /**
     * Returns the entry, building it first when no one has.
     *
     * @param key     entry name, see {@link #path}
     * @param builder fills the entry; called at most once per successful build on this machine
     * @return the complete entry directory
     * @throws UncheckedIOException when the lock, the temporary directory or the rename fails, or the builder
     *                              throws an {@link IOException}
     */
    public Path get(String key, Builder builder) {
        Path entry = path(key);
        if (Files.isDirectory(entry)) {
            return entry;
        }
        Object monitor = MONITORS.computeIfAbsent(root + "/" + key, k -> new Object());
        synchronized (monitor) {
            try {
                Files.createDirectories(root);
                try (FileChannel channel = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                    if (Files.isDirectory(entry)) {
                        return entry;
                    }
                    removeLeftovers(key);
                    Path building = root.resolve(key + ".building-" + UUID.randomUUID());
                    Files.createDirectory(building);
                    try {
                        builder.build(building);
                        Files.move(building, entry, StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException | RuntimeException | Error e) {
                        discard(building, e);
                        throw e;
                    }
                    return entry;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cache entry " + entry + " could not be built", e);
            }
        }
    }

    /**
     * Removes an entry (holding its lock), e.g. after a test proved it broken.
     *
     * @param key entry name
     */
    public void evict(String key) {
        Path entry = path(key);
        Object monitor = MONITORS.computeIfAbsent(root + "/" + key, k -> new Object());
        synchronized (monitor) {
            try {
                Files.createDirectories(root);
                try (FileChannel channel = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                    if (Files.exists(entry)) {
                        Path doomed = root.resolve(key + ".building-evicted-" + UUID.randomUUID());
                        Files.move(entry, doomed, StandardCopyOption.ATOMIC_MOVE);
                        discard(doomed, null);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cache entry " + entry + " could not be evicted", e);
            }
        }
    }

    private void removeLeftovers(String key) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(root, key + ".building-*")) {
            for (Path p : stale) {
                discard(p, null);
            }
        }
    }

    /** Unmounts anything a builder left mounted below {@code dir} (debootstrap mounts proc and sys), then deletes it. */
    private static void discard(Path dir, Throwable failure) {
        try {
            unmountBelow(dir);
            TempDirs.deleteRecursively(dir);
        } catch (RuntimeException | IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new UncheckedIOException("cannot remove " + dir, e instanceof IOException io ? io : new IOException(e));
            }
        }
    }

    static void unmountBelow(Path dir) throws IOException {
        Path mountinfo = Path.of("/proc/self/mountinfo");
        if (!Files.isReadable(mountinfo)) {
            return;
        }
        String prefix = dir.toAbsolutePath().normalize().toString();
        List<String> below = new ArrayList<>();
        for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
            String[] f = line.split(" ");
            if (f.length > 4) {
                String point = f[4].replace("\\040", " ");
                if (point.equals(prefix) || point.startsWith(prefix + "/")) {
                    below.add(point);
                }
            }
        }
        below.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : below) {
            Commands.run(List.of("umount", "-l", point), null, java.time.Duration.ofSeconds(30));
        }
    }
}

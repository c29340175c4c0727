package dev.damselfly.piecestore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads RocksDB's JNI library without leaving a copy of it behind. RocksDB's own loader extracts the library (about
 * 15 MB) from its jar into a new file in {@code java.io.tmpdir} at every start and deletes it only when the JVM exits
 * normally: every process killed (SIGKILL, the OOM killer, a crash) leaves one more there for good. Here the library
 * is extracted into a private temporary directory named after this process, loaded, and deleted at once (the loaded
 * mapping outlives the file). A directory left by a process killed while extracting is removed by the next load once
 * that process is gone. When the jar holds no library for this platform, or extraction fails, RocksDB's own loader
 * takes over.
 */
final class RocksDbLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbLibrary.class);
    /** Prefix of the extraction directories, followed by the process id and a random part. */
    static final String DIR_PREFIX = "damselfly-rocksdb-";
    private static boolean loaded; // guarded by the class

    private RocksDbLibrary() {
    }

    /** Loads the library once per process; later calls return at once. */
    static synchronized void load() {
        if (loaded) {
            return;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try {
            loadExtracted(tmp);
        } catch (IOException | UnsatisfiedLinkError | RuntimeException e) {
            LOG.info("RocksDB library not loaded from a private copy, using RocksDB's loader: tmpdir={} reason={}", tmp,
                    e.toString());
            RocksDB.loadLibrary();
        }
        loaded = true;
    }

    private static void loadExtracted(Path tmp) throws IOException {
        String resource = Environment.getJniLibraryFileName("rocksdb");
        // the file name RocksDB.loadLibrary(paths) looks for in each directory (it differs from the resource's)
        String loadedName = Environment.getJniLibraryFileName("rocksdbjni");
        removeAbandoned(tmp);
        Path dir = Files.createTempDirectory(tmp, DIR_PREFIX + ProcessHandle.current().pid() + "-");
        try (InputStream in = RocksDB.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new FileNotFoundException("no " + resource + " in the RocksDB jar");
            }
            Files.copy(in, dir.resolve(loadedName));
            RocksDB.loadLibrary(List.of(dir.toString()));
        } finally {
            deleteTree(dir);
        }
    }

    /** Removes extraction directories whose process has ended (killed while extracting). */
    private static void removeAbandoned(Path tmp) {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, DIR_PREFIX + "*")) {
            for (Path d : dirs) {
                String rest = d.getFileName().toString().substring(DIR_PREFIX.length());
                int dash = rest.indexOf('-');
                long pid;
                try {
                    pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            LOG.debug("could not list {} for abandoned RocksDB copies: {}", tmp, e.toString());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}

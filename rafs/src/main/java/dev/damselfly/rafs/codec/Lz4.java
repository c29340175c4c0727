package dev.damselfly.rafs.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * lz4-java's fastest factory, without the temporary copy of its native library. lz4-java extracts
 * {@code liblz4-java-N.so} and a {@code .lck} beside it into {@code java.io.tmpdir} at every start, deletes both only
 * when the JVM exits normally, and removes an old copy only when its {@code .lck} is gone: every killed process
 * (SIGKILL, the OOM killer, a crash) leaves about 150 KB there for good. Once the library is mapped the file is not
 * needed, so the copy this process mapped (found in {@code /proc/self/maps}) is deleted with its {@code .lck} as soon
 * as the factory is made. Every user of LZ4 in the project takes its factory from here.
 */
public final class Lz4 {
    private static final Logger LOG = LoggerFactory.getLogger(Lz4.class);
    /** Where the kernel lists this process's mappings (Linux; elsewhere nothing is removed). */
    private static final Path SELF_MAPS = Path.of("/proc/self/maps");
    /** File name prefix of lz4-java's extracted library. */
    static final String COPY_PREFIX = "liblz4-java";
    private static final LZ4Factory FACTORY = load();

    private Lz4() {
    }

    /** The fastest factory (native when it loads, else lz4-java's pure-Java one). */
    public static LZ4Factory factory() {
        return FACTORY;
    }

    private static LZ4Factory load() {
        LZ4Factory factory = LZ4Factory.fastestInstance();
        if (Files.isReadable(SELF_MAPS)) {
            try {
                removeMappedCopies(SELF_MAPS);
            } catch (IOException | RuntimeException e) {
                LOG.info("lz4 library copy left in the temporary directory: reason={}", e.toString());
            }
        }
        return factory;
    }

    /**
     * Deletes every lz4-java library copy mapped in {@code maps} (a {@code /proc/PID/maps} listing) that still
     * exists, and its {@code .lck}. Returns the libraries deleted.
     */
    static List<Path> removeMappedCopies(Path maps) throws IOException {
        List<Path> removed = new ArrayList<>();
        for (String line : Files.readAllLines(maps)) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue; // anonymous mapping
            }
            Path file = Path.of(line.substring(slash));
            String name = file.getFileName().toString();
            if (!name.startsWith(COPY_PREFIX) || !name.endsWith(".so") || removed.contains(file)) {
                continue; // another file, or one already deleted (listed with " (deleted)")
            }
            if (Files.deleteIfExists(file)) {
                removed.add(file);
            }
            Files.deleteIfExists(file.resolveSibling(name + ".lck"));
        }
        return removed;
    }
}

package dev.damselfly.testkit.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Opens the content of a regular tar entry; may be opened more than once (each time from byte 0). */
@FunctionalInterface
public interface ContentSource {

    /**
     * @return a fresh stream of the content; the caller closes it
     * @throws IOException when the content cannot be produced
     */
    InputStream open() throws IOException;

    /**
     * @param bytes in-memory content (not copied)
     * @return a source over {@code bytes}
     */
    static ContentSource of(byte[] bytes) {
        return () -> new ByteArrayInputStream(bytes);
    }

    /**
     * @param seed   seed of {@link DeterministicBytes}
     * @param length bytes
     * @return a streamed pseudo-random source
     */
    static ContentSource random(long seed, long length) {
        return () -> new DeterministicBytes(seed, length);
    }
}

package dev.damselfly.exchange;

import java.io.IOException;
import java.io.InputStream;

/**
 * The source of a task's bytes when no parent has them (back-to-source): for an image blob, Range GETs
 * through the {@code oci} registry client; for {@code damselfly get URL}, Range GETs of that URL.
 * Implementations are thread-safe; the bytes they return are checked by the engine like any other.
 */
public interface Origin {

    /** What to log and report as the source (a URL without credentials). */
    String describe();

    /** The task's total length in bytes (Dragonfly's stat step, spec §3.8). */
    long contentLength() throws IOException;

    /** Exactly {@code length} bytes from {@code offset}; the caller closes the stream. */
    InputStream openRange(long offset, long length) throws IOException;
}

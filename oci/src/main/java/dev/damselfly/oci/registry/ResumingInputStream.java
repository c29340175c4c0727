package dev.damselfly.oci.registry;

import dev.damselfly.oci.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A blob body that survives broken connections: when a read fails with an I/O error (a reset, a
 * premature end of the body, a read timeout), the rest is requested again from the byte reached
 * ({@code Range: bytes=N-}), up to {@code maxResumes} times with backoff. Typed registry errors
 * (4xx) on a resume are not retried. The bytes delivered are the same bytes in the same order, so a
 * digest computed over this stream still checks the whole blob.
 */
final class ResumingInputStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(ResumingInputStream.class);

    /** Opens the body from a byte offset (0 for the start). */
    @FunctionalInterface
    interface Opener {
        InputStream openFrom(long offset) throws IOException;
    }

    private final Opener opener;
    private final String subject;
    private final int maxResumes;
    private final long initialBackoffMillis;
    private final long maxBackoffMillis;
    private InputStream current;
    private long position;
    private int resumes;
    private boolean closed;

    ResumingInputStream(InputStream first, Opener opener, String subject, int maxResumes,
                        long initialBackoffMillis, long maxBackoffMillis) {
        this.current = first;
        this.opener = opener;
        this.subject = subject;
        this.maxResumes = maxResumes;
        this.initialBackoffMillis = initialBackoffMillis;
        this.maxBackoffMillis = maxBackoffMillis;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        while (true) {
            if (closed) {
                throw new IOException(subject + ": stream closed");
            }
            try {
                int n = current.read(b, off, len);
                if (n > 0) {
                    position += n;
                }
                return n;
            } catch (RegistryException | InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (resumes >= maxResumes) {
                    throw new IOException(subject + ": body broke at byte " + position + " after " + resumes
                            + " resume(s): " + e.getMessage(), e);
                }
                resumes++;
                closeQuietly(current);
                sleepBackoff();
                LOG.warn("{}: body broke at byte {} ({}); resuming, attempt {}/{}", subject, position, e.getMessage(),
                        resumes, maxResumes);
                current = opener.openFrom(position);
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        current.close();
    }

    private void sleepBackoff() throws InterruptedIOException {
        long base = Math.min(maxBackoffMillis, initialBackoffMillis << Math.min(resumes - 1, 20));
        try {
            Thread.sleep(base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(subject + ": interrupted while waiting to resume");
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // The broken stream is being replaced; nothing to report.
        }
    }
}

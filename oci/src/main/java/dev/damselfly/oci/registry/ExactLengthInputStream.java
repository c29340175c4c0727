package dev.damselfly.oci.registry;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Yields exactly {@code length} bytes of the underlying stream, then EOF; a stream that ends early is
 * an {@link EOFException} naming the subject, never a silent short read.
 */
final class ExactLengthInputStream extends FilterInputStream {
    private final String subject;
    private final long length;
    private long remaining;

    ExactLengthInputStream(InputStream in, long length, String subject) {
        super(in);
        this.length = length;
        this.remaining = length;
        this.subject = subject;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException(subject + ": stream ended after " + (length - remaining) + " of " + length + " bytes");
        }
        remaining -= n;
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(Math.min(n, remaining));
        remaining -= skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}

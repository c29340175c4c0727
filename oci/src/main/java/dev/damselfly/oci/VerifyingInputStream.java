package dev.damselfly.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while digesting them; at end of stream throws {@link DigestMismatchException}
 * if the digest or the expected size differs, so a reader that reaches EOF without an exception has
 * read exactly the expected content. More bytes than {@code expectedSize} fail at once.
 */
public final class VerifyingInputStream extends FilterInputStream {
    private final Digest expected;
    private final long expectedSize;
    private final String source;
    private final MessageDigest messageDigest;
    private long count;
    private boolean verified;

    /**
     * @param expectedSize bytes expected, or -1 when unknown
     * @param source       names the origin in the error (URL, file)
     */
    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String source) {
        super(in);
        this.expected = expected;
        this.expectedSize = expectedSize;
        this.source = source;
        this.messageDigest = expected.newMessageDigest();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        messageDigest.update(b, off, n);
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            throw new DigestMismatchException(expected, "more than the expected " + expectedSize + " bytes", source);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    private void verify() throws DigestMismatchException {
        if (verified) {
            return;
        }
        verified = true;
        if (expectedSize >= 0 && count != expectedSize) {
            throw new DigestMismatchException(expected, count + " bytes instead of " + expectedSize, source);
        }
        Digest actual = Digest.of(expected.algorithm(), messageDigest.digest());
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual.toString(), source);
        }
    }
}

package dev.damselfly.testkit.image;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes through while counting them and feeding a SHA-256 digest. */
final class DigestingOutputStream extends FilterOutputStream {

    private final MessageDigest digest = Digests.newSha256();
    private long count;

    DigestingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    long count() {
        return count;
    }

    /** @return {@code sha256:HEX}; call once, after the last write */
    String digest() {
        return Digests.format(digest);
    }
}

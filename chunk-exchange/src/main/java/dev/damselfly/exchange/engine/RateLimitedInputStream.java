package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.TokenBucket;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/** Reads through a {@link TokenBucket}: each read takes as many tokens as bytes it returns (at most 64 KiB). */
final class RateLimitedInputStream extends FilterInputStream {
    /** Largest read passed through at once, bytes: 64 KiB, so the rate is smooth within a piece. */
    static final int MAX_READ = 64 << 10;

    private final TokenBucket bucket;

    RateLimitedInputStream(InputStream in, TokenBucket bucket) {
        super(in);
        this.bucket = bucket;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            take(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, Math.min(len, MAX_READ));
        if (n > 0) {
            take(n);
        }
        return n;
    }

    private void take(int n) throws InterruptedIOException {
        try {
            bucket.acquire(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the back-to-source rate limit");
        }
    }
}

package dev.damselfly.exchange;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A byte-rate limiter: a bucket refilled at {@code bytesPerSecond}, holding at most one second of tokens.
 * {@link #acquire(long)} blocks until the bytes may go. A rate of 0 means unlimited (acquire never waits).
 * Used for the download, upload and back-to-source limits (Dragonfly's {@code download.rateLimit},
 * {@code upload.rateLimit}, {@code download.backToSourceRateLimit}). Thread-safe.
 */
public final class TokenBucket {
    private final long bytesPerSecond;
    private double tokens;
    private long lastRefillNanos;

    /** @param bytesPerSecond sustained rate in bytes per second; 0 = unlimited */
    public TokenBucket(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be ≥ 0 (0 = unlimited), was " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.tokens = bytesPerSecond;
        this.lastRefillNanos = System.nanoTime();
    }

    /** An unlimited bucket. */
    public static TokenBucket unlimited() {
        return new TokenBucket(0);
    }

    /** The configured rate, bytes per second (0 = unlimited). */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /**
     * Takes {@code bytes} tokens, waiting as long as needed. A request larger than the bucket goes into debt
     * and the next callers wait for it, so large pieces are allowed but the average rate holds.
     *
     * @throws InterruptedException if interrupted while waiting (no tokens are taken then)
     */
    public void acquire(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            refill();
            tokens -= bytes;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond);
        }
        long deadline = System.nanoTime() + waitNanos;
        while (waitNanos > 0) {
            LockSupport.parkNanos(this, waitNanos);
            if (Thread.interrupted()) {
                synchronized (this) {
                    tokens += bytes;
                }
                throw new InterruptedException("interrupted waiting for " + bytes + " bytes of rate budget");
            }
            waitNanos = deadline - System.nanoTime();
        }
    }

    private void refill() {
        long now = System.nanoTime();
        double add = (now - lastRefillNanos) * (double) bytesPerSecond / TimeUnit.SECONDS.toNanos(1);
        tokens = Math.min(bytesPerSecond, tokens + add);
        lastRefillNanos = now;
    }
}

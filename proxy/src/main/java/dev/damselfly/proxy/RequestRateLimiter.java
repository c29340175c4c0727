package dev.damselfly.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Requests per second per client address, as token buckets (Dragonfly's proxy limits all requests with one
 * bucket; this one keeps a bucket per client IP, so one busy client cannot starve the others): each address may
 * send {@code burst} requests at once and {@code ratePerSecond} on average. A refused request is answered
 * {@code 429 Too Many Requests} with {@code Retry-After} (seconds until the bucket holds a token again) and counted
 * in {@link ProxyMetrics#RATE_LIMITED_TOTAL}. Thread-safe.
 */
final class RequestRateLimiter {
    /** A client address unseen this long loses its bucket (it comes back full): 5 minutes. */
    static final Duration IDLE_BUCKET_EXPIRY = Duration.ofMinutes(5);
    /** Most client addresses tracked at once: 100,000 (least recently used dropped first). */
    static final long MAX_CLIENTS = 100_000;

    private final double ratePerSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final ProxyMetrics metrics;
    private final Cache<InetAddress, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(IDLE_BUCKET_EXPIRY).maximumSize(MAX_CLIENTS).build();

    /**
     * @param ratePerSecond average requests per second allowed per client address; must be positive
     * @param burst         requests a client may send at once (bucket size); at least 1
     * @param nanoTime      the clock ({@code System::nanoTime} outside tests)
     */
    RequestRateLimiter(double ratePerSecond, int burst, LongSupplier nanoTime, ProxyMetrics metrics) {
        if (!(ratePerSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("rate limit needs a positive rate and a burst of at least 1, got " + ratePerSecond
                    + "/s burst " + burst);
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.metrics = metrics;
    }

    /**
     * Takes one request from {@code client}'s bucket.
     *
     * @throws ProxyException 429 with the seconds to wait when the bucket is empty
     */
    void acquire(SocketAddress client) throws ProxyException {
        InetAddress address = client instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address == null) {
            return;
        }
        long waitNanos = buckets.get(address, a -> new Bucket(burst, nanoTime.getAsLong())).take(nanoTime.getAsLong());
        if (waitNanos > 0) {
            metrics.rateLimited();
            long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw new ProxyException(429, "too many requests from " + address.getHostAddress() + " (limit "
                    + ratePerSecond + "/s, burst " + (long) burst + "); retry after " + seconds + " s", seconds);
        }
    }

    /** One client's tokens. */
    private final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        /** Takes a token and returns 0, or returns the nanoseconds until one will be there. */
        synchronized long take(long now) {
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * ratePerSecond);
            last = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / ratePerSecond * 1e9);
        }
    }
}

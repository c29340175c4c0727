package dev.damselfly.testkit.proxy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One rule added to a {@link FaultInjectingProxy} at runtime: which requests it applies to, how
 * many more times (or forever), and how often it fired.
 */
public final class FaultRule {

    /** What a rule does. */
    public enum Kind {
        /** Answer a status (e.g. 503, 429) with optional Retry-After, without contacting the registry. */
        FAIL,
        /** Close the connection without sending a response. */
        RESET,
        /** Pass through but cut the response body after N bytes and close the connection. */
        TRUNCATE,
        /** Wait before handling the request. */
        DELAY,
        /** Remove Range and If-Range so the registry answers 200 with the whole body. */
        IGNORE_RANGE,
        /** Answer blob reads with a redirect to the blob-storage endpoint. */
        REDIRECT_BLOBS
    }

    /** Remaining-count value meaning "applies to every matching request". */
    public static final int UNLIMITED = -1;

    private final Kind kind;
    private final Predicate<ProxyRequest> when;
    private final AtomicInteger remaining;
    private final AtomicLong hits = new AtomicLong();
    private final int status;
    private final Duration duration;
    private final long bytes;
    private volatile boolean cancelled;

    FaultRule(Kind kind, Predicate<ProxyRequest> when, int times, int status, Duration duration, long bytes) {
        if (times < 1 && times != UNLIMITED) {
            throw new IllegalArgumentException("times must be >= 1 (or UNLIMITED), was " + times);
        }
        this.kind = kind;
        this.when = when;
        this.remaining = new AtomicInteger(times);
        this.status = status;
        this.duration = duration;
        this.bytes = bytes;
    }

    /**
     * Fires the rule for {@code request} if it matches and has uses left.
     *
     * @return true when the rule applies to this request (its hit counter was incremented)
     */
    boolean tryApply(ProxyRequest request) {
        if (cancelled || !when.test(request)) {
            return false;
        }
        while (true) {
            int left = remaining.get();
            if (left == UNLIMITED) {
                break;
            }
            if (left == 0) {
                return false;
            }
            if (remaining.compareAndSet(left, left - 1)) {
                break;
            }
        }
        hits.incrementAndGet();
        return true;
    }

    /** @return what this rule does */
    public Kind kind() {
        return kind;
    }

    /** @return how many requests this rule has been applied to */
    public long hits() {
        return hits.get();
    }

    /** @return uses left, or {@link #UNLIMITED} */
    public int remaining() {
        return remaining.get();
    }

    /** @return true when a counted rule has no uses left, or the rule was cancelled */
    public boolean isExhausted() {
        return cancelled || remaining.get() == 0;
    }

    /** Stops the rule from applying to further requests. */
    public void cancel() {
        cancelled = true;
    }

    int status() {
        return status;
    }

    Duration duration() {
        return duration;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public String toString() {
        return "FaultRule[" + kind + ", hits=" + hits() + ", remaining=" + remaining() + (cancelled ? ", cancelled" : "") + "]";
    }
}

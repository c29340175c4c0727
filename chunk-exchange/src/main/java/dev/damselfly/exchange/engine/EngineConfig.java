package dev.damselfly.exchange.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link DownloadEngine}. Defaults follow the Rust dfdaemon (spec §2.4, §3.7) where it has one.
 *
 * @param concurrentPieceCount pieces downloaded from parents in parallel per task
 *        (Dragonfly {@code download.concurrentPieceCount}); default 8
 * @param backToSourceConcurrency pieces in flight from the origin per task (one Range GET covers up to 4 consecutive
 *                                ones when the task is read in ascending order); default 8, reached after a ramp:
 *                                1 until the task's first piece from the origin is stored, then doubled by each one
 * @param pieceTimeout deadline of one piece from a parent (Dragonfly {@code download.pieceTimeout}); default 360 s
 * @param downloadRateLimit node-wide limit of piece bytes taken from parents, bytes per second; 0 = unlimited;
 *        default 0
 * @param backToSourceRateLimit node-wide limit of bytes read from origins, bytes per second; 0 = unlimited;
 *        default 0
 * @param backToSourceEnabled whether pieces may come from the origin at all (false = Dragonfly
 *        {@code disable_back_to_source}: a task whose pieces no parent has fails); default true
 * @param directOriginThreshold tasks of at most this many bytes skip the scheduler and go straight to the
 *        origin (spec §3.7); default 4 MiB
 * @param pieceHold how long a piece announced by some but not all parents waits for the others before it is
 *        handed to the downloader (spec §2.4); default 100 ms
 * @param collectedPieceTimeout longest wait for a new SyncPieces announcement while wanted pieces are still
 *        unannounced; after it those pieces go back to source. Dragonfly waits 360 s per stream message; default
 *        30 s here so a lazy mount is not stalled for minutes by a parent that never gets the piece
 * @param parentFailureLimit failed transfers after which a parent is dropped for the task; default 3
 * @param parentAvoidance how long a parent host that sent a corrupt piece is avoided node-wide, for every task;
 *        default 10 min
 * @param originRetries extra attempts of a failed origin Range GET (Dragonfly {@code backend.maxRetries});
 *        default 1
 * @param originRetryBackoff wait before the first origin retry, doubled each time; default 200 ms
 * @param rangeIdleTimeout a task downloaded only by ranges ({@link DownloadEngine#ensureRange}) ends its
 *        scheduler session after this long without a wanted piece; default 60 s
 * @param originAheadBytes how far past the place of a local reader that follows the task in order (a client's
 *        stream, the task's SHA-256) an ascending origin read may fetch the pieces that reader will read, bytes, at
 *        least 4 pieces; 0 = no bound; default 32 MiB (see {@code TaskRun.readers})
 */
public record EngineConfig(int concurrentPieceCount, int backToSourceConcurrency, Duration pieceTimeout,
                           long downloadRateLimit, long backToSourceRateLimit, boolean backToSourceEnabled,
                           long directOriginThreshold, Duration pieceHold, Duration collectedPieceTimeout,
                           int parentFailureLimit, Duration parentAvoidance, int originRetries,
                           Duration originRetryBackoff, Duration rangeIdleTimeout, long originAheadBytes) {
    /** Default pieces in flight per task from parents: 8. */
    public static final int DEFAULT_CONCURRENT_PIECE_COUNT = 8;
    /** Default origin Range GETs in flight per task: 8. */
    public static final int DEFAULT_BACK_TO_SOURCE_CONCURRENCY = 8;
    /** Default tasks size (bytes) at or below which the scheduler is skipped: 4 MiB. */
    public static final long DEFAULT_DIRECT_ORIGIN_THRESHOLD = 4L << 20;
    /** Default bound of an origin read ahead of its local readers, bytes: 32 MiB. */
    public static final long DEFAULT_ORIGIN_AHEAD_BYTES = 32L << 20;

    public EngineConfig {
        positive("concurrentPieceCount", concurrentPieceCount);
        positive("backToSourceConcurrency", backToSourceConcurrency);
        positive("parentFailureLimit", parentFailureLimit);
        nonNegative("pieceTimeout", pieceTimeout);
        nonNegative("pieceHold", pieceHold);
        nonNegative("collectedPieceTimeout", collectedPieceTimeout);
        nonNegative("parentAvoidance", parentAvoidance);
        nonNegative("originRetryBackoff", originRetryBackoff);
        nonNegative("rangeIdleTimeout", rangeIdleTimeout);
        if (downloadRateLimit < 0 || backToSourceRateLimit < 0) {
            throw new IllegalArgumentException("rate limits are bytes/s ≥ 0 (0 = unlimited), were "
                    + downloadRateLimit + " and " + backToSourceRateLimit);
        }
        if (originAheadBytes < 0) {
            throw new IllegalArgumentException("originAheadBytes must be ≥ 0 (0 = no bound), was "
                    + originAheadBytes);
        }
        if (directOriginThreshold < 0 || originRetries < 0) {
            throw new IllegalArgumentException("directOriginThreshold and originRetries must be ≥ 0, were "
                    + directOriginThreshold + " and " + originRetries);
        }
    }

    /** The defaults listed in the class comment. */
    public static EngineConfig defaults() {
        return new EngineConfig(DEFAULT_CONCURRENT_PIECE_COUNT, DEFAULT_BACK_TO_SOURCE_CONCURRENCY,
                Duration.ofSeconds(360), 0, 0, true, DEFAULT_DIRECT_ORIGIN_THRESHOLD, Duration.ofMillis(100),
                Duration.ofSeconds(30), 3, Duration.ofMinutes(10), 1, Duration.ofMillis(200), Duration.ofSeconds(60),
                DEFAULT_ORIGIN_AHEAD_BYTES);
    }

    public EngineConfig withConcurrency(int pieces, int backToSource) {
        return new EngineConfig(pieces, backToSource, pieceTimeout, downloadRateLimit, backToSourceRateLimit,
                backToSourceEnabled, directOriginThreshold, pieceHold, collectedPieceTimeout, parentFailureLimit,
                parentAvoidance, originRetries, originRetryBackoff, rangeIdleTimeout, originAheadBytes);
    }

    /** Both limits in bytes per second, 0 = unlimited. */
    public EngineConfig withRateLimits(long download, long backToSource) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, pieceTimeout, download, backToSource,
                backToSourceEnabled, directOriginThreshold, pieceHold, collectedPieceTimeout, parentFailureLimit,
                parentAvoidance, originRetries, originRetryBackoff, rangeIdleTimeout, originAheadBytes);
    }

    public EngineConfig withBackToSourceEnabled(boolean enabled) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, pieceTimeout, downloadRateLimit,
                backToSourceRateLimit, enabled, directOriginThreshold, pieceHold, collectedPieceTimeout,
                parentFailureLimit, parentAvoidance, originRetries, originRetryBackoff, rangeIdleTimeout,
                originAheadBytes);
    }

    /** Bytes. */
    public EngineConfig withDirectOriginThreshold(long bytes) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, pieceTimeout, downloadRateLimit,
                backToSourceRateLimit, backToSourceEnabled, bytes, pieceHold, collectedPieceTimeout,
                parentFailureLimit, parentAvoidance, originRetries, originRetryBackoff, rangeIdleTimeout,
                originAheadBytes);
    }

    public EngineConfig withTimeouts(Duration piece, Duration collectedPiece, Duration rangeIdle) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, piece, downloadRateLimit,
                backToSourceRateLimit, backToSourceEnabled, directOriginThreshold, pieceHold, collectedPiece,
                parentFailureLimit, parentAvoidance, originRetries, originRetryBackoff, rangeIdle, originAheadBytes);
    }

    public EngineConfig withOriginRetries(int retries, Duration backoff) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, pieceTimeout, downloadRateLimit,
                backToSourceRateLimit, backToSourceEnabled, directOriginThreshold, pieceHold, collectedPieceTimeout,
                parentFailureLimit, parentAvoidance, retries, backoff, rangeIdleTimeout, originAheadBytes);
    }

    /** Bytes, 0 = no bound. */
    public EngineConfig withOriginAhead(long bytes) {
        return new EngineConfig(concurrentPieceCount, backToSourceConcurrency, pieceTimeout, downloadRateLimit,
                backToSourceRateLimit, backToSourceEnabled, directOriginThreshold, pieceHold, collectedPieceTimeout,
                parentFailureLimit, parentAvoidance, originRetries, originRetryBackoff, rangeIdleTimeout, bytes);
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
    }

    private static void nonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}

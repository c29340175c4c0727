package dev.damselfly.piecestore;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link PieceStore}. Build with {@link #builder()}; every key lists its unit and default.
 *
 * <ul>
 *   <li>{@code diskBudgetBytes} — bytes of disk the content files may occupy, counted in whole file-system blocks
 *       and including deleted content still held open by leases ({@link PieceStore#usedBytes()}); the metadata
 *       database is not counted ({@link PieceStore#metadataBytes()}). {@code 0} = no budget (only TTL evicts).
 *       Default {@code 0}.</li>
 *   <li>{@code highWatermark} — fraction of the budget (0–1]; crossing it starts an eviction. Default {@code 0.9}.</li>
 *   <li>{@code lowWatermark} — fraction of the budget [0–high]; eviction stops at or below it. Default {@code 0.7}.</li>
 *   <li>{@code taskTtl} — a task not accessed for this long is deleted by GC; {@link Duration#ZERO} = never.
 *       Default {@code ZERO}.</li>
 *   <li>{@code gcInterval} — period of the background GC run; {@code ZERO} = no periodic run (GC then runs only
 *       when a write crosses the high watermark, and on {@link PieceStore#gc()}). Default {@code 60 s}.</li>
 *   <li>{@code hotCacheBytes} — bytes of recently read small pieces kept in memory (Caffeine, weighed by
 *       length); {@code 0} disables the cache. Default {@code 64 MiB}.</li>
 *   <li>{@code hotCacheMaxPieceBytes} — only pieces up to this many bytes enter the hot cache. Default
 *       {@code 256 KiB}.</li>
 *   <li>{@code recentPiecesBytes} — bytes of direct memory for larger pieces just written, kept for the readers
 *       that follow a write (see {@link RecentPieces}); {@code 0} keeps none. Default {@code 64 MiB}.</li>
 *   <li>{@code readVerification} — when reads check CRC-32, see {@link ReadVerification}. Default
 *       {@code EVERY_READ}.</li>
 *   <li>{@code syncWrites} — force content to disk ({@code FileChannel.force(false)}) and sync the RocksDB WAL
 *       before a piece becomes visible. Turning it off keeps crash safety against a killed process (the page
 *       cache survives) but not against power loss. Default {@code true}.</li>
 *   <li>{@code syncMetadata} — with {@code syncWrites}, also sync the RocksDB WAL on every commit. {@code false} is
 *       Dragonfly's own setting (spec §8, "fsync off"): content is still forced before its record is written, so a
 *       power loss can only forget the last committed pieces, never make wrong bytes visible (an unclean start
 *       checks pieces on first read). Saves one sync per piece. Default {@code true}.</li>
 *   <li>{@code directIo} — write whole, block-aligned pieces with {@code O_DIRECT} and read them back the same way
 *       into aligned buffers, bypassing the page cache (see {@link DirectIo}); used only where the file system
 *       accepts it (probed at open). Default {@code true}.</li>
 *   <li>{@code deletionListener} — told about every deleted task. Default: none.</li>
 *   <li>{@code clock} — time source for LRU and TTL. Default: system UTC clock.</li>
 * </ul>
 */
public final class PieceStoreConfig {
    private final long diskBudgetBytes;
    private final double highWatermark;
    private final double lowWatermark;
    private final Duration taskTtl;
    private final Duration gcInterval;
    private final long hotCacheBytes;
    private final int hotCacheMaxPieceBytes;
    private final long recentPiecesBytes;
    private final ReadVerification readVerification;
    private final boolean syncWrites;
    private final boolean syncMetadata;
    private final boolean directIo;
    private final TaskDeletionListener deletionListener;
    private final Clock clock;

    private PieceStoreConfig(Builder b) {
        this.diskBudgetBytes = b.diskBudgetBytes;
        this.highWatermark = b.highWatermark;
        this.lowWatermark = b.lowWatermark;
        this.taskTtl = b.taskTtl;
        this.gcInterval = b.gcInterval;
        this.hotCacheBytes = b.hotCacheBytes;
        this.hotCacheMaxPieceBytes = b.hotCacheMaxPieceBytes;
        this.recentPiecesBytes = b.recentPiecesBytes;
        this.readVerification = b.readVerification;
        this.syncWrites = b.syncWrites;
        this.syncMetadata = b.syncMetadata;
        this.directIo = b.directIo;
        this.deletionListener = b.deletionListener;
        this.clock = b.clock;
    }

    /** The defaults listed in the class comment. */
    public static PieceStoreConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Bytes of content-file blocks ({@link PieceStore#usedBytes()}); 0 = no budget. Default 0. */
    public long diskBudgetBytes() {
        return diskBudgetBytes;
    }

    /** Fraction of the budget. Default 0.9. */
    public double highWatermark() {
        return highWatermark;
    }

    /** Fraction of the budget. Default 0.7. */
    public double lowWatermark() {
        return lowWatermark;
    }

    /** ZERO = never expire. Default ZERO. */
    public Duration taskTtl() {
        return taskTtl;
    }

    /** ZERO = no periodic GC. Default 60 s. */
    public Duration gcInterval() {
        return gcInterval;
    }

    /** Bytes. Default 64 MiB. */
    public long hotCacheBytes() {
        return hotCacheBytes;
    }

    /** Bytes. Default 256 KiB. */
    public int hotCacheMaxPieceBytes() {
        return hotCacheMaxPieceBytes;
    }

    /** Bytes. Default 64 MiB. */
    public long recentPiecesBytes() {
        return recentPiecesBytes;
    }

    /** Default EVERY_READ. */
    public ReadVerification readVerification() {
        return readVerification;
    }

    /** Default true. */
    public boolean syncWrites() {
        return syncWrites;
    }

    /** Default true; only matters when {@link #syncWrites()} is on. */
    public boolean syncMetadata() {
        return syncMetadata;
    }

    /** Default true. */
    public boolean directIo() {
        return directIo;
    }

    public TaskDeletionListener deletionListener() {
        return deletionListener;
    }

    public Clock clock() {
        return clock;
    }

    /** Builder for {@link PieceStoreConfig}; see the class comment for units and defaults. */
    public static final class Builder {
        private long diskBudgetBytes = 0;
        private double highWatermark = 0.9;
        private double lowWatermark = 0.7;
        private Duration taskTtl = Duration.ZERO;
        private Duration gcInterval = Duration.ofSeconds(60);
        private long hotCacheBytes = 64L << 20;
        private int hotCacheMaxPieceBytes = 256 << 10;
        private long recentPiecesBytes = 64L << 20;
        private ReadVerification readVerification = ReadVerification.EVERY_READ;
        private boolean syncWrites = true;
        private boolean syncMetadata = true;
        private boolean directIo = true;
        private TaskDeletionListener deletionListener = (id, reason) -> { };
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        public Builder diskBudgetBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("diskBudgetBytes must be >= 0: " + bytes);
            }
            this.diskBudgetBytes = bytes;
            return this;
        }

        /** Both fractions at once: {@code 0 <= low <= high <= 1}, {@code high > 0}. */
        public Builder watermarks(double high, double low) {
            if (!(high > 0 && high <= 1 && low >= 0 && low <= high)) {
                throw new IllegalArgumentException("watermarks need 0 <= low <= high <= 1, high > 0: high " + high
                        + ", low " + low);
            }
            this.highWatermark = high;
            this.lowWatermark = low;
            return this;
        }

        public Builder taskTtl(Duration ttl) {
            this.taskTtl = requireNonNegative(ttl, "taskTtl");
            return this;
        }

        public Builder gcInterval(Duration interval) {
            this.gcInterval = requireNonNegative(interval, "gcInterval");
            return this;
        }

        public Builder hotCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("hotCacheBytes must be >= 0: " + bytes);
            }
            this.hotCacheBytes = bytes;
            return this;
        }

        public Builder hotCacheMaxPieceBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("hotCacheMaxPieceBytes must be >= 0: " + bytes);
            }
            this.hotCacheMaxPieceBytes = bytes;
            return this;
        }

        public Builder recentPiecesBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("recentPiecesBytes must be >= 0: " + bytes);
            }
            this.recentPiecesBytes = bytes;
            return this;
        }

        public Builder readVerification(ReadVerification mode) {
            this.readVerification = Objects.requireNonNull(mode, "readVerification");
            return this;
        }

        public Builder syncWrites(boolean sync) {
            this.syncWrites = sync;
            return this;
        }

        public Builder syncMetadata(boolean sync) {
            this.syncMetadata = sync;
            return this;
        }

        public Builder directIo(boolean direct) {
            this.directIo = direct;
            return this;
        }

        public Builder deletionListener(TaskDeletionListener listener) {
            this.deletionListener = Objects.requireNonNull(listener, "deletionListener");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public PieceStoreConfig build() {
            return new PieceStoreConfig(this);
        }

        private static Duration requireNonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}

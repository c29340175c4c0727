package dev.damselfly.scheduler.server.resource;

import dev.damselfly.scheduler.proto.common.v2.Priority;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One peer (one download of one task on one host). Mutable state is guarded by the task's monitor,
 * except {@link #state()} and {@link #updatedAtNanos()} which are volatile for lock-free reads.
 */
public final class PeerRecord {
    /** Piece cost samples kept for bad-node detection. */
    public static final int COST_WINDOW = 2000;
    /** Concurrent piece downloads assumed when the registration does not say; Rust client default 8. */
    public static final int DEFAULT_CONCURRENT_PIECE_COUNT = 8;

    private final String id;
    private final TaskRecord task;
    private final HostRecord host;
    private final long createdAtNanos;
    private final Priority priority;
    private final int concurrentPieceCount;
    private final boolean needBackToSource;
    private final BitSet finishedPieces = new BitSet();
    private final Deque<Long> pieceCostsNanos = new ArrayDeque<>();
    private final Set<String> blockParents = new HashSet<>();
    private final Set<PeerRecord> parents = new LinkedHashSet<>();
    private final Set<PeerRecord> children = new LinkedHashSet<>();
    private volatile PeerState state = PeerState.PENDING;
    private volatile long updatedAtNanos;
    private long finishedBytes;
    private boolean backToSourceFlag;
    private int scheduleEpoch;

    public PeerRecord(String id, TaskRecord task, HostRecord host, Priority priority, int concurrentPieceCount,
                      boolean needBackToSource, long nowNanos) {
        this.id = id;
        this.task = task;
        this.host = host;
        this.priority = priority;
        this.concurrentPieceCount = concurrentPieceCount > 0 ? concurrentPieceCount : DEFAULT_CONCURRENT_PIECE_COUNT;
        this.needBackToSource = needBackToSource;
        this.createdAtNanos = nowNanos;
        this.updatedAtNanos = nowNanos;
        this.blockParents.add(id);
    }

    public String id() {
        return id;
    }

    public TaskRecord task() {
        return task;
    }

    public HostRecord host() {
        return host;
    }

    public Priority priority() {
        return priority;
    }

    public int concurrentPieceCount() {
        return concurrentPieceCount;
    }

    public boolean needBackToSource() {
        return needBackToSource;
    }

    public PeerState state() {
        return state;
    }

    public void setState(PeerState s, long nowNanos) {
        state = s;
        updatedAtNanos = nowNanos;
    }

    public long createdAtNanos() {
        return createdAtNanos;
    }

    public long updatedAtNanos() {
        return updatedAtNanos;
    }

    public void touch(long nowNanos) {
        updatedAtNanos = nowNanos;
    }

    public BitSet finishedPieces() {
        return finishedPieces;
    }

    public int finishedPieceCount() {
        return finishedPieces.cardinality();
    }

    /** Records a finished piece and its download cost. */
    public void finishPiece(int number, long length, long costNanos, long nowNanos) {
        if (number < 0) {
            return; // uint32 beyond 2^31: not a piece number any real task reaches
        }
        if (!finishedPieces.get(number)) {
            finishedPieces.set(number);
            finishedBytes += length;
        }
        pieceCostsNanos.addLast(costNanos);
        if (pieceCostsNanos.size() > COST_WINDOW) {
            pieceCostsNanos.removeFirst();
        }
        updatedAtNanos = nowNanos;
    }

    /** True when this peer must go back to source as soon as the task allows (spec §3.7). */
    public boolean backToSourceFlag() {
        return backToSourceFlag || needBackToSource;
    }

    public void flagBackToSource() {
        backToSourceFlag = true;
    }

    /**
     * Withdraws a back-to-source flag the scheduler set (the origin is handed to another peer); false when the peer
     * itself asked for the origin ({@code need_back_to_source}), which stays.
     */
    public boolean unflagBackToSource() {
        if (needBackToSource) {
            return false;
        }
        backToSourceFlag = false;
        return true;
    }

    /** Current scheduling round; a new round (reschedule, re-register) supersedes pending retries. */
    public int scheduleEpoch() {
        return scheduleEpoch;
    }

    public int nextScheduleEpoch() {
        return ++scheduleEpoch;
    }

    public long finishedBytes() {
        return finishedBytes;
    }

    public Deque<Long> pieceCostsNanos() {
        return pieceCostsNanos;
    }

    public Set<String> blockParents() {
        return blockParents;
    }

    public Set<PeerRecord> parents() {
        return parents;
    }

    public Set<PeerRecord> children() {
        return children;
    }

    @Override
    public String toString() {
        return "peer " + id + " (" + state + ", host " + host.id() + ")";
    }
}

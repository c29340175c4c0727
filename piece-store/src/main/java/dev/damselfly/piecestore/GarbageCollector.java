package dev.damselfly.piecestore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which tasks to delete (pure: no I/O). First every unpinned task idle longer than the TTL; then,
 * if the used bytes ({@link DiskUsage#usedBytes()}, plus what a waiting writer brings) are above
 * {@code high × budget}, unpinned tasks in least-recently-used order until the used bytes are at or below
 * {@code low × budget} (a task frees {@link TaskState#allocatedBytes()}). Pinned tasks are never chosen, even if that leaves
 * the store above the low mark.
 */
final class GarbageCollector {
    record Victim(TaskState task, DeletionReason reason) {
    }

    private final long budget;
    private final double high;
    private final double low;
    private final long ttlMillis;

    GarbageCollector(PieceStoreConfig config) {
        this.budget = config.diskBudgetBytes();
        this.high = config.highWatermark();
        this.low = config.lowWatermark();
        this.ttlMillis = config.taskTtl().toMillis();
    }

    /** Whether {@code usedBytes} crosses the high watermark. */
    boolean aboveHigh(long usedBytes) {
        return budget > 0 && usedBytes > (long) (high * budget);
    }

    /**
     * @param usedBytes   bytes the budget counts now
     * @param incoming    bytes a writer is about to add (counted against the high watermark), 0 for a plain run
     */
    List<Victim> select(Collection<TaskState> tasks, long usedBytes, long incoming, long nowMillis) {
        List<Victim> out = new ArrayList<>();
        List<TaskState> candidates = new ArrayList<>();
        long remaining = usedBytes;
        for (TaskState t : tasks) {
            if (t.pinned() || t.deleted()) {
                continue;
            }
            if (ttlMillis > 0 && nowMillis - t.lastAccessMillis() > ttlMillis) {
                out.add(new Victim(t, DeletionReason.TTL));
                remaining -= t.allocatedBytes();
            } else {
                candidates.add(t);
            }
        }
        if (aboveHigh(remaining + incoming)) {
            long target = (long) (low * budget);
            candidates.sort(Comparator.comparingLong(TaskState::lastAccessMillis));
            for (TaskState t : candidates) {
                if (remaining <= target) {
                    break;
                }
                if (t.allocatedBytes() == 0) {
                    continue; // evicting it frees nothing
                }
                out.add(new Victim(t, DeletionReason.QUOTA));
                remaining -= t.allocatedBytes();
            }
        }
        return out;
    }
}

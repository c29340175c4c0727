package dev.damselfly.piecestore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses which tasks to delete (pure: no I/O). First every unpinned task idle longer than the TTL; then,
 * if the stored bytes (plus what a waiting writer brings) are above {@code high × budget}, unpinned tasks in least-recently-used order until
 * the stored bytes are at or below {@code low × budget}. Pinned tasks are never chosen, even if that leaves
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

    /** Whether {@code storedBytes} crosses the high watermark. */
    boolean aboveHigh(long storedBytes) {
        return budget > 0 && storedBytes > (long) (high * budget);
    }

    /**
     * @param storedBytes bytes stored now
     * @param incoming    bytes a writer is about to add (counted against the high watermark), 0 for a plain run
     */
    List<Victim> select(Collection<TaskState> tasks, long storedBytes, long incoming, long nowMillis) {
        List<Victim> out = new ArrayList<>();
        List<TaskState> candidates = new ArrayList<>();
        long remaining = storedBytes;
        for (TaskState t : tasks) {
            if (t.pinned() || t.deleted()) {
                continue;
            }
            if (ttlMillis > 0 && nowMillis - t.lastAccessMillis() > ttlMillis) {
                out.add(new Victim(t, DeletionReason.TTL));
                remaining -= t.storedBytes();
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
                if (t.storedBytes() == 0) {
                    continue; // evicting it frees nothing
                }
                out.add(new Victim(t, DeletionReason.QUOTA));
                remaining -= t.storedBytes();
            }
        }
        return out;
    }
}

package dev.damselfly.piecestore;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes tasks: records first (one batch), then the index entry, the pieces kept in memory and the file name; then
 * tells the {@link TaskDeletionListener}.
 *
 * <p>Pins: garbage collection ({@link DeletionReason#QUOTA}, {@link DeletionReason#TTL}) never deletes a pinned
 * task. An explicit delete (or a vanished content file) does, but never pulls bytes from under a lease holder:
 * the task leaves the index at once (new lookups, pins and reads by id see it gone, the records are deleted
 * durably, the content file's name is unlinked so a new task of the same id starts afresh), while the open
 * content file keeps its bytes for the leases, which read through {@link TaskLease#readPiece(int)} and
 * {@link TaskLease#region(int)} until they close. The blocks count as used until the last lease, read or region
 * lets go ({@link DiskUsage}).
 */
final class TaskRemover {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRemover.class);

    private final StoreContext ctx;
    private final TaskRegistry tasks;

    TaskRemover(StoreContext ctx, TaskRegistry tasks) {
        this.ctx = ctx;
        this.tasks = tasks;
    }

    /** Deletes {@code t} for {@code reason}; false if it was already gone or (for GC reasons) is pinned. */
    boolean delete(TaskState t, DeletionReason reason) {
        int leases;
        synchronized (t.commitLock) {
            if (t.deleted()) {
                return false;
            }
            boolean gc = reason == DeletionReason.QUOTA || reason == DeletionReason.TTL;
            t.markDeleted();
            // a pin taken before this point is seen here; one taken after sees deleted() and backs out
            if (gc && t.pinned()) {
                t.unmarkDeleted();
                return false;
            }
            try {
                ctx.db.deleteTask(t.taskId);
            } catch (RuntimeException e) {
                t.unmarkDeleted();
                throw e;
            }
            tasks.remove(t);
            leases = t.pins();
        }
        ctx.hot.invalidateTask(t.taskId);
        ctx.recent.invalidateTask(t.taskId);
        long allocated = t.allocatedBytes();
        t.content.retire(() -> {
            ctx.usage.released(allocated);
            LOG.debug("content released: task_id={} bytes={}", t.taskId, allocated);
        });
        LOG.info("task deleted: task_id={} reason={} pieces={} bytes={} leases_open={}", t.taskId,
                reason.name().toLowerCase(Locale.ROOT), t.storedPieces(), t.storedBytes(), leases);
        try {
            ctx.config.deletionListener().taskDeleted(t.taskId, reason);
        } catch (RuntimeException e) {
            LOG.warn("deletion listener failed: task_id={} error={}", t.taskId, e.toString());
        }
        return true;
    }
}

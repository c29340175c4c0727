package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.PieceRecord;
import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tasks by id, and the only place that installs or drops committed pieces in memory (keeping
 * {@link DiskUsage} in step). Creating a task writes its record; everything else here is memory only.
 */
final class TaskRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRegistry.class);

    private final ConcurrentHashMap<String, TaskState> tasks = new ConcurrentHashMap<>();
    private final Object createLock = new Object();
    private final StoreContext ctx;

    TaskRegistry(StoreContext ctx) {
        this.ctx = ctx;
    }

    TaskState newState(String taskId, TaskRecord record) {
        Path path = ctx.layout.pathOf(taskId);
        ContentFile.Forcer forcer = ch -> {
            ch.force(false);
            ctx.observer.contentForced(path);
        };
        return new TaskState(taskId, record, new ContentFile(path, ctx.config.syncWrites(), forcer));
    }

    /** Adds a loaded task (start only). */
    void add(TaskState t) {
        tasks.put(t.taskId, t);
    }

    TaskInfo create(String taskId, long contentLength, int pieceLength) {
        ContentLayout.checkTaskId(taskId);
        if (contentLength < 0 || pieceLength <= 0 || pieceLength > PieceGeometry.MAX_PIECE_LENGTH) {
            throw new InvalidPieceException("bad geometry for task " + taskId + ": content length " + contentLength
                    + ", piece length " + pieceLength);
        }
        PieceGeometry.pieceCount(contentLength, pieceLength);
        synchronized (createLock) {
            TaskState existing = tasks.get(taskId);
            if (existing != null) {
                if (existing.contentLength != contentLength || existing.pieceLength != pieceLength) {
                    throw new TaskConflictException(taskId, existing.info(), contentLength, pieceLength);
                }
                existing.touch(ctx.now());
                return existing.info();
            }
            long now = ctx.now();
            TaskRecord record = new TaskRecord(contentLength, pieceLength, now, now);
            ctx.db.putTask(taskId, record);
            TaskState t = newState(taskId, record);
            tasks.put(taskId, t);
            LOG.info("task created: task_id={} content_length={} pieces={} piece_length={}", taskId, contentLength,
                    t.pieceCount, pieceLength);
            return t.info();
        }
    }

    /** The live task, or null. */
    TaskState find(String taskId) {
        return tasks.get(taskId);
    }

    /** The live task; a miss counts as a read miss. */
    TaskState require(String taskId) {
        TaskState t = tasks.get(taskId);
        if (t == null) {
            ctx.metrics.readMisses.increment();
            throw new TaskNotFoundException(taskId);
        }
        return t;
    }

    /** Removes the task from the index (caller holds its commit lock); its counts leave the stored figures. */
    void remove(TaskState t) {
        if (tasks.remove(t.taskId, t)) {
            ctx.usage.taskRemoved(t.storedBytes(), t.storedPieces(), t.allocatedBytes());
        }
    }

    /** Installs a committed piece (under the task's commit lock, or at start); false if one was there. */
    boolean install(TaskState t, PieceRecord p, boolean trusted) {
        if (!t.install(p, trusted)) {
            return false;
        }
        long added = t.blocksOnlyIn(p.number(), ctx.usage.blockSize());
        t.addAllocated(added);
        ctx.usage.added(p.length(), added);
        return true;
    }

    /** Drops a piece (under the task's commit lock); false if it was not the given record any more. */
    boolean uninstall(TaskState t, PieceRecord p) {
        if (t.piece(p.number()) != p) {
            return false;
        }
        long freed = t.blocksOnlyIn(p.number(), ctx.usage.blockSize());
        t.uninstall(p.number());
        t.addAllocated(-freed);
        ctx.usage.removed(p.length(), freed);
        return true;
    }

    Collection<TaskState> all() {
        return tasks.values();
    }

    List<TaskState> snapshot() {
        return new ArrayList<>(tasks.values());
    }

    java.util.Set<String> ids() {
        return tasks.keySet();
    }

    int size() {
        return tasks.size();
    }
}

package dev.damselfly.piecestore;

import dev.damselfly.piecestore.RecordCodec.TaskRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start: reads task and piece records (never content) into the {@link TaskRegistry}, removes piece records
 * of unknown tasks and with impossible geometry, sweeps content files without a task, and finds tasks whose
 * content file is gone. After an unclean stop, loaded pieces are marked unverified (checked on first read).
 */
final class StoreLoader {
    private static final Logger LOG = LoggerFactory.getLogger(StoreLoader.class);

    private final StoreContext ctx;
    private final TaskRegistry tasks;

    StoreLoader(StoreContext ctx, TaskRegistry tasks) {
        this.ctx = ctx;
        this.tasks = tasks;
    }

    /** Loads records; returns tasks whose content file is missing (deleted by the caller once listeners can run). */
    List<TaskState> load(boolean clean) {
        Map<String, TaskRecord> records = ctx.db.loadTasks();
        for (var e : records.entrySet()) {
            tasks.add(tasks.newState(e.getKey(), e.getValue()));
        }
        Set<String> orphanPieceTasks = new LinkedHashSet<>();
        List<String> badTasks = new ArrayList<>();
        List<Integer> badPieces = new ArrayList<>();
        ctx.db.forEachPiece((id, p) -> {
            TaskState t = tasks.find(id);
            if (t == null) {
                orphanPieceTasks.add(id);
            } else if (p.number() < 0 || p.number() >= t.pieceCount || p.length() != t.lengthOf(p.number())) {
                badTasks.add(id);
                badPieces.add(p.number());
            } else {
                tasks.install(t, p, clean);
            }
        });
        if (!orphanPieceTasks.isEmpty()) {
            LOG.warn("removing piece records of unknown tasks: tasks={}", orphanPieceTasks.size());
            ctx.db.deletePieceRanges(orphanPieceTasks);
        }
        for (int i = 0; i < badPieces.size(); i++) {
            LOG.warn("removing piece record with bad geometry: task_id={} piece={}", badTasks.get(i),
                    badPieces.get(i));
            ctx.db.deletePiece(badTasks.get(i), badPieces.get(i));
        }
        try {
            int swept = ctx.layout.sweepOrphans(tasks.ids());
            if (swept > 0) {
                LOG.info("removed content files without a task: files={}", swept);
            }
        } catch (IOException e) {
            LOG.warn("could not sweep content files without a task: dir={} error={}", ctx.dir, e.toString());
        }
        List<TaskState> missing = new ArrayList<>();
        for (TaskState t : tasks.all()) {
            if (t.storedPieces() > 0 && !t.content.exists()) {
                missing.add(t);
            }
        }
        return missing;
    }
}

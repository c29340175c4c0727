package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where content files live: {@code <dir>/content/tasks/<first 3 chars of task id>/<task id>} (Dragonfly's
 * layout, spec §8), and which task ids are acceptable as file names.
 */
final class ContentLayout {
    /** Task ids: 1–200 of {@code [A-Za-z0-9._-]}, not starting with a dot. */
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}");

    private final Path contentRoot;
    private final Path tasksRoot;

    ContentLayout(Path storeDir) {
        this.contentRoot = storeDir.resolve("content");
        this.tasksRoot = contentRoot.resolve("tasks");
    }

    /** {@code <dir>/content}: the file system the content files live on. */
    Path root() {
        return contentRoot;
    }

    static String checkTaskId(String taskId) {
        if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
            throw new InvalidPieceException("bad task id (want 1-200 of [A-Za-z0-9._-], no leading dot): " + taskId);
        }
        return taskId;
    }

    Path pathOf(String taskId) {
        return tasksRoot.resolve(taskId.substring(0, Math.min(3, taskId.length()))).resolve(taskId);
    }

    /** Deletes content files whose task is not in {@code known}; returns how many. Lists names only. */
    int sweepOrphans(Set<String> known) throws IOException {
        if (!Files.isDirectory(tasksRoot)) {
            return 0;
        }
        Set<Path> orphans = new HashSet<>();
        try (Stream<Path> shards = Files.list(tasksRoot)) {
            for (Path shard : (Iterable<Path>) shards::iterator) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                try (Stream<Path> files = Files.list(shard)) {
                    files.filter(f -> !known.contains(f.getFileName().toString())).forEach(orphans::add);
                }
            }
        }
        for (Path p : orphans) {
            Files.deleteIfExists(p);
        }
        return orphans.size();
    }
}

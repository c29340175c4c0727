package dev.damselfly.piecestore;

import java.time.Duration;

/**
 * The outcome of one garbage-collection run.
 *
 * @param tasksEvicted tasks deleted by this run (quota and TTL)
 * @param bytesEvicted stored piece bytes those tasks held
 * @param bytesStored  stored piece bytes after the run
 * @param duration     wall time of the run
 */
public record GcReport(int tasksEvicted, long bytesEvicted, long bytesStored, Duration duration) {
}

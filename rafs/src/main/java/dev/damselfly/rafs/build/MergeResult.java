package dev.damselfly.rafs.build;

import java.nio.file.Path;

/**
 * What {@link LayerMerger#merge} produced.
 *
 * @param bootstrap  the image bootstrap written
 * @param inodeCount inodes in the merged tree (hard links count once)
 * @param blobCount  blob table entries / device slots (one per layer: blob index i = layer i)
 * @param bytes      size of the bootstrap in bytes (a multiple of 4096)
 */
public record MergeResult(Path bootstrap, long inodeCount, int blobCount, long bytes) {
}

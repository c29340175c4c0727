package dev.damselfly.rafs.build;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerMerger#merge} produced.
 *
 * @param bootstrap  the image bootstrap written
 * @param inodeCount inodes in the merged tree (hard links count once)
 * @param blobCount  blob table entries / device slots (one per layer: blob index i = layer i)
 * @param bytes      size of the bootstrap in bytes (a multiple of 4096)
 * @param prefetchMissing prefetch paths that name nothing in the merged tree (left out of the prefetch table)
 */
public record MergeResult(Path bootstrap, long inodeCount, int blobCount, long bytes, List<String> prefetchMissing) {
}

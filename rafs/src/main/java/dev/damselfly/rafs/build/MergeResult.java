package dev.damselfly.rafs.build;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link LayerMerger#merge} produced.
 *
 * @param bootstrap  the image bootstrap written
 * @param inodeCount inodes in the merged tree (hard links count once)
 * @param blobCount  blob table entries / device slots (each distinct blob once)
 * @param bytes      size of the bootstrap in bytes (a multiple of 4096)
 * @param prefetchMissing prefetch paths that name nothing in the merged tree (left out of the prefetch table)
 * @param blobIds    the merged blob table's ids, in blob index order (the parent's blobs, then each layer's new
 *                   blobs in layer order)
 */
public record MergeResult(Path bootstrap, long inodeCount, int blobCount, long bytes, List<String> prefetchMissing,
                          List<String> blobIds) {
    public MergeResult {
        prefetchMissing = List.copyOf(prefetchMissing);
        blobIds = List.copyOf(blobIds);
    }
}

package dev.damselfly.peer.node.mounts;

import java.util.List;
import java.util.Map;

/**
 * One node-owned mount as the admin API shows it (JSON). Holds no secret: no credentials, no tokens.
 *
 * @param id                   16 hex digits derived from the mount point (stable across requests)
 * @param mountpoint           absolute mount point
 * @param image                the image reference, or the bootstrap path of a local image
 * @param status               {@code mounted}, {@code unmounted} (after DELETE), or {@code ended} (unmounted from
 *                             outside, e.g. {@code fusermount -u})
 * @param mountedAt            when the mount went live (ISO-8601 UTC, e.g. {@code 2026-11-22T10:00:00Z})
 * @param sources              blob sources in the order chunks are looked for
 * @param bytesRead            bytes returned to readers
 * @param cacheHits            chunks found in the blob cache
 * @param cacheMisses          chunks fetched from a source
 * @param fetchedBytes         stored chunk bytes received, by source kind
 * @param verificationFailures chunk attempts that failed their digest
 * @param fuse                 how the mount talks to the kernel: {@code KERNEL}, {@code KERNEL_URING} (its rings serve
 *                             requests) or {@code LIBFUSE}
 * @param ringRequests         requests answered through FUSE-over-io_uring rings (0 unless {@code KERNEL_URING})
 */
public record MountView(String id, String mountpoint, String image, String status, String mountedAt,
                        List<String> sources, long bytesRead, long cacheHits, long cacheMisses,
                        Map<String, Long> fetchedBytes, long verificationFailures, String fuse,
                        long ringRequests) {
}

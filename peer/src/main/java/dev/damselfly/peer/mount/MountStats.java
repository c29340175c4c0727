package dev.damselfly.peer.mount;

import java.util.Map;

/**
 * What one mount has done so far, from its own meters (never those of other mounts sharing a registry).
 *
 * @param bytesRead            bytes returned to FUSE readers
 * @param cacheHits            chunks readers wanted that the blob cache had
 * @param cacheMisses          chunks readers wanted that had to be fetched (or awaited from another reader's fetch)
 * @param fetchedBytes         stored chunk bytes received, by source kind ({@code file}, {@code peer}, {@code registry})
 * @param verificationFailures chunk attempts that failed decompression or their digest
 */
public record MountStats(long bytesRead, long cacheHits, long cacheMisses, Map<String, Long> fetchedBytes,
                         long verificationFailures) {
    public MountStats {
        fetchedBytes = Map.copyOf(fetchedBytes);
    }
}

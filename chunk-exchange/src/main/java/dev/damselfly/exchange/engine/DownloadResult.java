package dev.damselfly.exchange.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A finished full download.
 *
 * @param taskId the task
 * @param contentLength bytes in the task
 * @param bytesBySource bytes of this download's pieces by where they came from (pieces already stored when
 *        the download started count as {@link PieceSource#LOCAL_PEER})
 * @param duration wall time from the start of the node-wide download to its completion
 * @param sha256 the verified SHA-256 (64 hex) when the request carried one and it was checked
 * @param readBack whether that check read every piece back from the task's content file during this download (each
 *        read CRC-checked by the store); false when it was skipped (verified before, nothing fetched since) or no
 *        SHA-256 was asked for
 */
public record DownloadResult(String taskId, long contentLength, Map<PieceSource, Long> bytesBySource,
                             Duration duration, Optional<String> sha256, boolean readBack) {
    public DownloadResult {
        bytesBySource = Map.copyOf(bytesBySource);
    }

    /** Bytes from one source (0 when none). */
    public long bytes(PieceSource source) {
        return bytesBySource.getOrDefault(source, 0L);
    }
}

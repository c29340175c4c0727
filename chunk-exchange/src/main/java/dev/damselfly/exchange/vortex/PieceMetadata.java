package dev.damselfly.exchange.vortex;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The metadata block of a Vortex {@code PieceContent} packet (tag 1). The {@code length} raw piece bytes follow
 * the block on the wire.
 *
 * @param number           piece number
 * @param offset           piece offset in the task, bytes
 * @param length           piece length, bytes (= number of raw bytes after the block)
 * @param digest           piece digest, e.g. {@code crc32:1234567890} (may be empty on the wire; our client rejects it)
 * @param parentId         the sending node's host id (may be empty)
 * @param trafficType      common.v2.TrafficType number; a serving parent sends REMOTE_PEER = 1
 * @param costSeconds      how long the parent took to get the piece, whole seconds
 * @param createdAtSeconds when the piece content was created, Unix seconds
 */
public record PieceMetadata(int number, long offset, long length, String digest, String parentId, int trafficType,
        long costSeconds, long createdAtSeconds) {

    /** common.v2.TrafficType.REMOTE_PEER: what a parent serving a stored piece sends. */
    public static final int TRAFFIC_REMOTE_PEER = 1;

    public PieceMetadata {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(parentId, "parentId");
        if (trafficType < 0 || trafficType > 255) {
            throw new IllegalArgumentException("traffic type must fit a u8, was " + trafficType);
        }
    }

    /**
     * M: bytes in the block after its own 4-byte length field
     * ({@code 4 + 8 + 8 + 4 + D + 4 + P + 1 + 8 + 8}).
     */
    public int metadataLength() {
        return 45 + digest.getBytes(StandardCharsets.UTF_8).length + parentId.getBytes(StandardCharsets.UTF_8).length;
    }
}

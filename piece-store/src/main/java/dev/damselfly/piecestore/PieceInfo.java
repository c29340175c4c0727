package dev.damselfly.piecestore;

import java.util.Optional;

/**
 * A committed piece.
 *
 * @param taskId  the task
 * @param number  piece number from 0
 * @param offset  byte offset in the task's content
 * @param length  bytes
 * @param digest  Dragonfly digest {@code crc32:<decimal>}
 * @param sha256  {@code sha256:<hex>} when the writer asked for SHA-256, else empty
 */
public record PieceInfo(String taskId, int number, long offset, int length, String digest, Optional<String> sha256) {
}

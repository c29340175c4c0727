package dev.damselfly.exchange.vortex;

/**
 * A Vortex {@code DownloadPiece} request (tag 0).
 *
 * @param packetId the packet id byte (random, echoed in the reply, never checked)
 * @param taskId   the task id, 64 ASCII hex characters
 * @param number   the piece number, from 0
 */
public record DownloadPieceRequest(byte packetId, String taskId, int number) {
}

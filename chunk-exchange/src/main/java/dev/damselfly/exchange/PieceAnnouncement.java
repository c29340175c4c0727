package dev.damselfly.exchange;

/**
 * One SyncPiecesResponse: a parent has this piece finished and serves it on Vortex at {@code ip:tcpPort}.
 *
 * @param number piece number
 * @param offset piece offset in the task, bytes
 * @param length piece length, bytes
 * @param ip the parent's data-plane IP
 * @param tcpPort the parent's Vortex TCP port (Dragonfly default 4005)
 */
public record PieceAnnouncement(int number, long offset, long length, String ip, int tcpPort) {
}

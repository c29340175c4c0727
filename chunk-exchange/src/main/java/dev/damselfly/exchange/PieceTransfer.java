package dev.damselfly.exchange;

import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.PieceStore;
import java.time.Duration;

/**
 * Client side of the Vortex piece protocol (spec §2.5): downloads one piece from a parent, checks it against
 * the CRC-32 the parent sent (an empty digest is refused: unverifiable bytes are never stored), and stores it in the
 * piece store as it streams in. Nothing is stored when the bytes are short, late or do not match.
 * Implemented over Netty by the {@code vortex} package.
 */
public interface PieceTransfer {

    /**
     * @param ip the parent's data-plane IP (from its SyncPieces announcement)
     * @param tcpPort the parent's Vortex TCP port
     * @param timeout whole-piece deadline (Dragonfly's download.pieceTimeout; default 360 s)
     * @return the stored piece
     * @throws PieceTransferException when the parent cannot be reached, answers with an error, closes early or
     *         times out
     * @throws dev.damselfly.piecestore.DigestMismatchException when the bytes do not match the digest sent
     */
    PieceInfo fetchInto(PieceStore store, String taskId, int number, String ip, int tcpPort, Duration timeout);
}

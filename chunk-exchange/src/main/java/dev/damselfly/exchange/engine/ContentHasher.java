package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a whole task, streamed piece by piece from the store (each read is CRC-checked by the store). */
final class ContentHasher {
    private ContentHasher() {
    }

    /** @return 64 lowercase hex characters */
    static String sha256(PieceStore store, String taskId, int pieceCount) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        for (int n = 0; n < pieceCount; n++) {
            md.update(store.readPiece(taskId, n));
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

package dev.damselfly.piecestore;

import java.nio.ByteBuffer;

/**
 * Bytes a {@link PieceFetcher} got for a piece.
 *
 * @param bytes  exactly the piece's bytes (position to limit)
 * @param digest the digest the source announced ({@code crc32:…} or {@code sha256:…}), or {@code null} to
 *               store without checking against a source digest (the CRC is then computed)
 */
public record FetchedPiece(ByteBuffer bytes, String digest) {
}

package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The bytes {@code [offset, offset+length)} of a task, in order, read from the piece store as each covering
 * piece is stored (waiting for it when needed). Holds a lease on the task until closed. Not thread-safe (one
 * reader). Pieces are read one at a time into one buffer of a piece's length: a piece the store still keeps in
 * memory since it wrote it is copied from there, otherwise it comes from the content file: a piece this
 * process wrote with direct I/O (from a peer or the origin) is read back the same way, into the stream's aligned
 * direct buffer, so streaming a blob does not fill the page cache with bytes the node already has on disk (on the
 * bench VM, filling fresh page-cache pages cost more CPU than the rest of the download); other pieces (a task's
 * short last piece, pieces an earlier run of the node wrote) come through the page cache.
 */
final class PieceInputStream extends InputStream {
    private final PieceStore store;
    private final PieceCursor cursor;
    private int bufferedPiece = -1;
    private ByteBuffer buffer;

    /** @param await the future of a piece, asking for it first when it is not stored */
    PieceInputStream(PieceStore store, String taskId, long pieceLength, long offset, long length,
                     IntFunction<CompletableFuture<Void>> await) {
        this.store = store;
        this.cursor = new PieceCursor(store, taskId, pieceLength, offset, length, await);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        cursor.checkOpen("stream");
        if (len == 0) {
            return 0;
        }
        if (cursor.remaining() <= 0) {
            return -1;
        }
        int piece = cursor.piece();
        if (piece != bufferedPiece) {
            load(piece);
        }
        buffer.position((int) cursor.inPiece());
        int n = (int) Math.min(Math.min(len, buffer.remaining()), cursor.remaining());
        buffer.get(b, off, n);
        cursor.advance(n);
        return n;
    }

    @Override
    public long skip(long n) {
        long s = Math.max(0, Math.min(n, cursor.remaining()));
        cursor.advance(s);
        return s;
    }

    @Override
    public int available() {
        if (buffer == null || cursor.remaining() <= 0 || cursor.piece() != bufferedPiece) {
            return 0;
        }
        long inPiece = buffer.limit() - cursor.inPiece();
        return (int) Math.max(0, Math.min(inPiece, cursor.remaining()));
    }

    private void load(int piece) throws IOException {
        cursor.awaitPiece(piece);
        try {
            if (buffer == null) {
                buffer = store.newReadBuffer((int) cursor.pieceLength); // one for the stream, not one per piece
            }
            bufferedPiece = -1;
            buffer.clear();
            store.readPieceKeptOrFromFile(cursor.taskId, piece, buffer);
            buffer.flip();
        } catch (RuntimeException e) {
            throw new IOException("reading piece " + piece + " of task " + cursor.taskId + ": " + e.getMessage(), e);
        }
        bufferedPiece = piece;
    }

    @Override
    public void close() {
        if (cursor.close()) {
            buffer = null;
        }
    }
}

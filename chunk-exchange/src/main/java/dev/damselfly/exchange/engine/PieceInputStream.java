package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskLease;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The bytes {@code [offset, offset+length)} of a task, in order, read from the piece store as each covering
 * piece is stored (waiting for it when needed). Holds a lease on the task until closed. Not thread-safe (one
 * reader). Pieces are read one at a time into one buffer of a piece's length.
 */
final class PieceInputStream extends InputStream {
    private final PieceStore store;
    private final String taskId;
    private final long pieceLength;
    private final long end;
    private final IntFunction<CompletableFuture<Void>> await;
    private final TaskLease lease;
    private long position;
    private int bufferedPiece = -1;
    private ByteBuffer buffer;
    private boolean closed;

    /** @param await the future of a piece, asking for it first when it is not stored */
    PieceInputStream(PieceStore store, String taskId, long pieceLength, long offset, long length,
                     IntFunction<CompletableFuture<Void>> await) {
        this.store = store;
        this.taskId = taskId;
        this.pieceLength = pieceLength;
        this.position = offset;
        this.end = offset + length;
        this.await = await;
        this.lease = store.pin(taskId);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream of task " + taskId + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        if (position >= end) {
            return -1;
        }
        int piece = (int) (position / pieceLength);
        if (piece != bufferedPiece) {
            load(piece);
        }
        buffer.position((int) (position - piece * pieceLength));
        int n = (int) Math.min(Math.min(len, buffer.remaining()), end - position);
        buffer.get(b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long s = Math.max(0, Math.min(n, end - position));
        position += s;
        return s;
    }

    @Override
    public int available() {
        if (buffer == null || position >= end || (int) (position / pieceLength) != bufferedPiece) {
            return 0;
        }
        long inPiece = buffer.limit() - (position - bufferedPiece * pieceLength);
        return (int) Math.max(0, Math.min(inPiece, end - position));
    }

    private void load(int piece) throws IOException {
        PieceWait.await(await, piece, taskId);
        try {
            if (buffer == null) {
                buffer = ByteBuffer.allocate((int) pieceLength); // one buffer for the whole stream, not one per piece
            }
            bufferedPiece = -1;
            buffer.clear();
            store.readPiece(taskId, piece, buffer);
            buffer.flip();
        } catch (RuntimeException e) {
            throw new IOException("reading piece " + piece + " of task " + taskId + ": " + e.getMessage(), e);
        }
        bufferedPiece = piece;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            buffer = null;
            lease.close();
        }
    }
}

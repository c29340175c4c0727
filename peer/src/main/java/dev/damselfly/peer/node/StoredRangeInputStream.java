package dev.damselfly.peer.node;

import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Bytes {@code [offset, offset+length)} of a task whose covering pieces are all stored, read piece by piece
 * (each read verified by the store). A piece that has gone missing is an IOException naming task and piece.
 */
public final class StoredRangeInputStream extends InputStream {
    private final PieceStore store;
    private final String taskId;
    private final int pieceLength;
    private long position;
    private final long end;
    private ByteBuffer current;
    private boolean closed;

    /** @throws IOException when the task is not in the store */
    public StoredRangeInputStream(PieceStore store, String taskId, long offset, long length) throws IOException {
        this.store = store;
        this.taskId = taskId;
        TaskInfo info = store.taskInfo(taskId).orElseThrow(() -> new IOException("task " + taskId + " is not in the store"));
        this.pieceLength = info.pieceLength();
        this.position = offset;
        this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream of task " + taskId + " is closed");
        }
        if (position >= end) {
            return -1;
        }
        if (current == null || !current.hasRemaining()) {
            int piece = (int) (position / pieceLength);
            try {
                current = store.readPiece(taskId, piece);
            } catch (RuntimeException e) {
                throw new IOException("piece " + piece + " of task " + taskId + " cannot be read: " + e.getMessage(), e);
            }
            current.position((int) (position - (long) piece * pieceLength));
        }
        int n = (int) Math.min(Math.min(len, current.remaining()), end - position);
        current.get(b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        current = null;
    }
}

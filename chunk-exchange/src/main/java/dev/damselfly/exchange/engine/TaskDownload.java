package dev.damselfly.exchange.engine;

import dev.damselfly.piecestore.PieceStore;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A caller's view of a node-wide full download (several callers of {@link DownloadEngine#download} for the
 * same task share one). Thread-safe.
 */
public final class TaskDownload {
    private final TaskRun run;
    private final PieceStore store;

    TaskDownload(TaskRun run, PieceStore store) {
        this.run = run;
        this.store = store;
    }

    public String taskId() {
        return run.taskId();
    }

    /** Bytes in the task. */
    public long contentLength() {
        return run.contentLength();
    }

    /** Bytes per piece (the last piece may be shorter). */
    public int pieceLength() {
        return run.pieceLength();
    }

    public int pieceCount() {
        return run.pieceCount();
    }

    /**
     * Completes when every piece is stored (and the content matched the expected SHA-256 when one was given);
     * fails with a {@link DownloadFailedException} subclass. Each call returns a new dependent future.
     */
    public CompletableFuture<DownloadResult> completion() {
        return run.completion().copy();
    }

    /** Completes when piece {@code n} is stored; fails when the download fails first. */
    public CompletableFuture<Void> piece(int n) {
        return run.pieceFuture(n).copy();
    }

    /**
     * The bytes {@code [offset, offset+length)} in order, each piece read from the store as soon as it is stored
     * (the piece the reader waits for is fetched before the others). Holds a lease on the task until closed.
     *
     * @throws IllegalArgumentException when the range is not inside the content
     */
    public InputStream openStream(long offset, long length) {
        checkRange(offset, length);
        return new PieceInputStream(store, taskId(), pieceLength(), offset, length, run::awaitPiece);
    }

    /**
     * The same bytes as {@link #openStream} as file regions for zero-copy sends, each handed out once its piece is
     * stored (the piece the sender waits for is fetched before the others). Holds a lease on the task until closed.
     *
     * @throws IllegalArgumentException when the range is not inside the content
     */
    public PieceRegionStream openRegions(long offset, long length) {
        checkRange(offset, length);
        return new PieceRegionStream(store, taskId(), pieceLength(), offset, length, run::awaitPiece);
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > contentLength()) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " is not inside the "
                    + contentLength() + " bytes of task " + taskId());
        }
    }

    /** Bytes of this download from one source so far (LOCAL_PEER is set at completion). */
    public long bytes(PieceSource source) {
        return run.bytes(source);
    }
}

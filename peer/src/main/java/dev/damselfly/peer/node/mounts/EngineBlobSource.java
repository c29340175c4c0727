package dev.damselfly.peer.node.mounts;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.peer.node.RegistryBlobTasks;
import dev.damselfly.peer.node.StoredRangeInputStream;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.rafsmount.source.BlobSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blob bytes through the node's own download engine, in process: the same path as the admin API's
 * {@code /api/v1/blobs} (the task the registry mirror would use for that blob; the pieces covering the range from
 * the store, else from peers, else from the registry), without HTTP. The mount verifies the bytes like any source's.
 */
public final class EngineBlobSource implements BlobSource {
    private final DownloadEngine engine;
    private final PieceStore store;
    private final RegistryBlobTasks tasks;
    private final ImageReference repository;
    private final Duration timeout;

    /**
     * @param repository the image's registry and repository
     * @param timeout longest wait for the pieces of one read (the node's {@code download.pieceTimeout}, default 360 s)
     */
    public EngineBlobSource(DownloadEngine engine, PieceStore store, RegistryBlobTasks tasks, ImageReference repository,
                            Duration timeout) {
        this.engine = engine;
        this.store = store;
        this.tasks = tasks;
        this.repository = repository;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return "node store and peers for " + repository.registry() + "/" + repository.repository();
    }

    @Override
    public String kind() {
        return "peer";
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        TaskRequest request = tasks.request(repository.registry(), repository.repository(), Digest.parse("sha256:" + blobId));
        try {
            engine.fetchRange(request, offset, length).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            throw new EOFException("range " + offset + "+" + length + " of blob " + blobId + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new IOException("blob " + blobId + " task_id=" + request.taskId() + " cannot be fetched: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading blob " + blobId + " task_id=" + request.taskId(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException("blob " + blobId + " range " + offset + "+" + length + " task_id=" + request.taskId()
                    + " not fetched: " + cause, cause);
        }
        long total = store.taskInfo(request.taskId()).map(t -> t.contentLength()).orElse(-1L);
        if (total >= 0 && offset + length > total) {
            throw new EOFException("range " + offset + "+" + length + " is past the end of the " + total + "-byte blob "
                    + blobId);
        }
        try (InputStream in = new StoredRangeInputStream(store, request.taskId(), offset, length)) {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException("task_id=" + request.taskId() + " gave " + bytes.length + " of " + length
                        + " bytes of blob " + blobId);
            }
            return bytes;
        }
    }
}

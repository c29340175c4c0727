package dev.damselfly.peer.node.mounts;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.peer.node.RegistryBlobTasks;
import dev.damselfly.peer.node.StoredRangeInputStream;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.rafsmount.source.BlobSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
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

    /**
     * Whether a read of {@code [offset, offset+length)} of the blob would not wait on a new download: every piece
     * covering it is in the store, or this node already downloads the blob (its pieces are on their way, from peers
     * or the registry).
     */
    public boolean warm(String blobId, long offset, int length) {
        String taskId = tasks.request(repository.registry(), repository.repository(), Digest.parse("sha256:" + blobId)).taskId();
        if (engine.activeTasks().contains(taskId)) {
            return true;
        }
        Optional<TaskInfo> info = store.taskInfo(taskId);
        if (info.isEmpty() || info.get().storedPieces() == 0 || offset >= info.get().contentLength()) {
            return false;
        }
        long end = Math.min(info.get().contentLength(), offset + Math.max(length, 1));
        long pieceLength = info.get().pieceLength();
        for (long n = offset / pieceLength; n <= (end - 1) / pieceLength; n++) {
            if (!store.hasPiece(taskId, (int) n)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Exactly {@code [offset, offset+length)} of the blob from the registry (one Range GET through the node's registry
     * client), neither stored nor shared with peers: what a cold read takes instead of whole pieces.
     */
    public byte[] readFromRegistry(String blobId, long offset, int length) throws IOException {
        TaskRequest request = tasks.request(repository.registry(), repository.repository(), Digest.parse("sha256:" + blobId));
        try (InputStream in = request.origin().openRange(offset, length)) {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException("registry gave " + bytes.length + " of " + length + " bytes at " + offset
                        + " of blob " + blobId + " task_id=" + request.taskId());
            }
            return bytes;
        }
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

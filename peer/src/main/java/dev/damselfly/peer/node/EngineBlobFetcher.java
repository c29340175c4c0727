package dev.damselfly.peer.node;

import dev.damselfly.exchange.Origin;
import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.PieceRegionStream;
import dev.damselfly.exchange.engine.TaskDownload;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.proxy.p2p.BlobFetch;
import dev.damselfly.proxy.p2p.BlobFetcher;
import dev.damselfly.proxy.p2p.BlobRegions;
import dev.damselfly.proxy.p2p.BlobRequest;
import dev.damselfly.proxy.p2p.DragonflyHeaders;
import dev.damselfly.scheduler.client.id.TaskIdInput;
import dev.damselfly.scheduler.client.id.TaskIds;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The proxy's blob GETs served by the node's download engine (local store → peers → origin). A full GET joins the
 * node-wide download of the blob and streams pieces as they arrive. A Range GET (how nydusd reads) fetches only
 * the pieces covering the range, unless {@code X-Dragonfly-Prefetch: true} asks for the whole blob in the
 * background too. The origin is the registry URL the proxy resolved, with the client's own Authorization; the
 * blob's SHA-256 (its digest) is checked by the engine once the whole blob is stored.
 */
final class EngineBlobFetcher implements BlobFetcher {
    private final DownloadEngine engine;
    private final PieceStore store;
    private final OriginFactory origins;
    private final long rangeTimeoutMillis;

    /** @param rangeTimeoutMillis longest wait for the pieces of one Range GET */
    EngineBlobFetcher(DownloadEngine engine, PieceStore store, OriginFactory origins, long rangeTimeoutMillis) {
        this.engine = engine;
        this.store = store;
        this.origins = origins;
        this.rangeTimeoutMillis = rangeTimeoutMillis;
    }

    @Override
    public BlobFetch open(BlobRequest request) throws IOException {
        DragonflyHeaders df = request.dragonfly();
        String url = request.url().toString();
        TaskIdInput idInput = TaskIdInput.of(url).withFilteredQueryParams(df.filteredQueryParams());
        idInput = df.tag().map(idInput::withTag).orElse(idInput);
        idInput = df.application().map(idInput::withApplication).orElse(idInput);
        if (df.pieceLength().isPresent()) {
            idInput = idInput.withPieceLength(df.pieceLength().getAsLong());
        }
        if (df.contentForCalculatingTaskId().isPresent()) {
            idInput = idInput.withContentForCalculatingTaskId(df.contentForCalculatingTaskId().get());
        }
        String taskId = TaskIds.taskId(idInput);
        Map<String, String> headers = new LinkedHashMap<>();
        request.originHeader("Authorization").ifPresent(v -> headers.put("Authorization", v));
        Origin origin = origins.forUrl(request.url(), headers);
        TaskRequest task = TaskRequest.of(taskId, url, origin).withPriority(df.priority());
        task = df.tag().map(task::withTag).orElse(task);
        task = df.application().map(task::withApplication).orElse(task);
        if (df.pieceLength().isPresent()) {
            task = task.withPieceLength(df.pieceLength().getAsLong());
        }
        if (request.digest().algorithm().equals("sha256")) {
            task = task.withExpectedSha256(request.digest().toString());
        }
        Optional<TaskInfo> known = store.taskInfo(taskId);
        boolean localHit = known.map(TaskInfo::complete).orElse(false);
        boolean rangeOnly = request.range().isPresent() && !df.prefetch().orElse(false) && !localHit;
        if (!rangeOnly) {
            TaskDownload download;
            try {
                download = engine.download(task);
            } catch (RuntimeException e) {
                throw new IOException("cannot start the download of task " + taskId + ": " + e.getMessage(), e);
            }
            return new FullFetch(download, localHit);
        }
        long length = known.isPresent() ? known.get().contentLength() : origin.contentLength();
        return new RangeFetch(task, length);
    }

    /** A fetch served from a node-wide full download. */
    private static final class FullFetch implements BlobFetch {
        private final TaskDownload download;
        private final boolean localHit;
        private volatile InputStream stream;
        private volatile PieceRegionStream regions;

        FullFetch(TaskDownload download, boolean localHit) {
            this.download = download;
            this.localHit = localHit;
        }

        @Override
        public String taskId() {
            return download.taskId();
        }

        @Override
        public long blobLength() {
            return download.contentLength();
        }

        @Override
        public boolean fullLocalHit() {
            return localHit;
        }

        @Override
        public InputStream openStream(long offset, long length) {
            stream = download.openStream(offset, length);
            return stream;
        }

        @Override
        public Optional<BlobRegions> openRegions(long offset, long length) {
            PieceRegionStream opened = download.openRegions(offset, length);
            regions = opened;
            return Optional.of(adapt(opened));
        }

        @Override
        public void close() {
            closeQuietly(stream);
            closeQuietly(regions);
        }
    }

    /** A fetch of only the pieces covering one range. */
    private final class RangeFetch implements BlobFetch {
        private final TaskRequest task;
        private final long length;
        private volatile InputStream stream;
        private volatile PieceRegionStream regions;

        RangeFetch(TaskRequest task, long length) {
            this.task = task;
            this.length = length;
        }

        @Override
        public String taskId() {
            return task.taskId();
        }

        @Override
        public long blobLength() {
            return length;
        }

        @Override
        public boolean fullLocalHit() {
            return false;
        }

        @Override
        public InputStream openStream(long offset, long rangeLength) throws IOException {
            awaitRange(offset, rangeLength);
            stream = new StoredRangeInputStream(store, task.taskId(), offset, rangeLength);
            return stream;
        }

        @Override
        public Optional<BlobRegions> openRegions(long offset, long rangeLength) throws IOException {
            awaitRange(offset, rangeLength);
            PieceRegionStream opened;
            try {
                opened = PieceRegionStream.ofStored(store, task.taskId(), offset, rangeLength);
            } catch (RuntimeException e) {
                throw new IOException("range " + offset + "+" + rangeLength + " of task " + task.taskId()
                        + " is not stored: " + e.getMessage(), e);
            }
            regions = opened;
            return Optional.of(adapt(opened));
        }

        private void awaitRange(long offset, long rangeLength) throws IOException {
            try {
                engine.fetchRange(task, offset, rangeLength).get(rangeTimeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for task " + task.taskId());
            } catch (ExecutionException e) {
                throw new IOException("range " + offset + "+" + rangeLength + " of task " + task.taskId()
                        + " could not be fetched: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("range " + offset + "+" + rangeLength + " of task " + task.taskId()
                        + " not fetched within " + rangeTimeoutMillis + " ms", e);
            }
        }

        @Override
        public void close() {
            closeQuietly(stream);
            closeQuietly(regions);
        }
    }

    /** The engine's region stream as the proxy's seam. */
    private static BlobRegions adapt(PieceRegionStream regions) {
        return new BlobRegions() {
            @Override
            public FileRegion next() throws IOException {
                return regions.next();
            }

            @Override
            public void close() {
                regions.close();
            }
        };
    }

    private static void closeQuietly(PieceRegionStream regions) {
        if (regions != null) {
            regions.close();
        }
    }

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // nothing to lose: the fetch is over
            }
        }
    }
}

package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.PieceListener;
import dev.damselfly.exchange.PieceTransfer;
import dev.damselfly.exchange.TokenBucket;
import dev.damselfly.piecestore.PieceGeometry;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreException;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.piecestore.TaskLease;
import dev.damselfly.scheduler.client.SchedulerClient;
import dev.damselfly.scheduler.client.host.HostIdentity;
import dev.damselfly.scheduler.client.id.PieceLengths;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's download engine: at most one download per task id at a time on this node, shared by full
 * downloads ({@link #download}) and range downloads ({@link #ensureRange}); pieces from parents named by the
 * scheduler, or from the task's {@link dev.damselfly.exchange.Origin}; every stored piece reported to the
 * scheduler and to the {@link PieceListener}. Without a scheduler client every task comes from its origin.
 * Thread-safe; {@link #close()} fails the downloads under way.
 */
public final class DownloadEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadEngine.class);
    /** Smallest piece length a Download message may carry, bytes (4 MiB; smaller ones are only sent as actual_*). */
    static final long MIN_WIRE_PIECE_LENGTH = 4L << 20;
    /** Largest piece length a Download message may carry, bytes (64 MiB). */
    static final long MAX_WIRE_PIECE_LENGTH = 64L << 20;

    private final EngineConfig config;
    private final PieceStore store;
    private final Optional<SchedulerClient> scheduler;
    private final HostIdentity host;
    private final PieceAvailability availability;
    private final PieceTransfer transfer;
    private final PieceListener pieceListener;
    private final ParentLoad parentLoad;
    private final EngineMetrics metrics;
    private final ParentBlocklist blocklist = new ParentBlocklist();
    private final ParentHostSlots parentHosts = new ParentHostSlots(this::wakeRuns);
    private final TokenBucket downloadBucket;
    private final TokenBucket backToSourceBucket;
    private final ExecutorService drivers;
    private final ExecutorService workers;
    private final ConcurrentHashMap<String, CompletableFuture<TaskRun>> runs = new ConcurrentHashMap<>();
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param config engine settings
     * @param store this node's piece store (not closed by the engine)
     * @param scheduler the scheduler client; empty = every task from its origin
     * @param host this node's identity: host id for SyncPieces, ip and hostname for peer ids
     *        ({@code {ip}-{hostname}-{uuid}})
     * @param availability SyncPieces client
     * @param transfer piece transfer client
     * @param pieceListener told after every piece this engine stores
     * @param registry where the Dragonfly download meters go
     */
    public DownloadEngine(EngineConfig config, PieceStore store, Optional<SchedulerClient> scheduler, HostIdentity host,
                          PieceAvailability availability, PieceTransfer transfer, PieceListener pieceListener,
                          MeterRegistry registry) {
        this(config, store, scheduler, host, availability, transfer, pieceListener, ParentLoad.NONE, registry);
    }

    /**
     * As {@link #DownloadEngine(EngineConfig, PieceStore, Optional, HostIdentity, PieceAvailability, PieceTransfer,
     * PieceListener, MeterRegistry)}, with each parent weighed by its free upload bandwidth (spec §2.4).
     *
     * @param parentLoad SyncHost client (e.g. {@code SyncHostClient}); the engine tracks each parent host while a
     *        task may download from it. {@link ParentLoad#NONE} = every parent weighs the same. Not closed by the
     *        engine
     */
    public DownloadEngine(EngineConfig config, PieceStore store, Optional<SchedulerClient> scheduler, HostIdentity host,
                          PieceAvailability availability, PieceTransfer transfer, PieceListener pieceListener,
                          ParentLoad parentLoad, MeterRegistry registry) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = Objects.requireNonNull(store, "store");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.host = Objects.requireNonNull(host, "host");
        this.availability = Objects.requireNonNull(availability, "availability");
        this.transfer = Objects.requireNonNull(transfer, "transfer");
        this.pieceListener = Objects.requireNonNull(pieceListener, "pieceListener");
        this.parentLoad = Objects.requireNonNull(parentLoad, "parentLoad");
        this.metrics = new EngineMetrics(Objects.requireNonNull(registry, "registry"));
        this.downloadBucket = new TokenBucket(config.downloadRateLimit());
        this.backToSourceBucket = new TokenBucket(config.backToSourceRateLimit());
        this.drivers = Executors.newCachedThreadPool(daemon("download-task-"));
        this.workers = Executors.newCachedThreadPool(daemon("download-piece-"));
    }

    /**
     * Starts the node-wide download of a task, or joins the one under way. Looks up the content length at the
     * origin (spec §3.8) when the store does not know the task yet.
     *
     * @throws OriginUnavailableException when the content length cannot be looked up
     * @throws DownloadFailedException when the task cannot be created in the store
     */
    public TaskDownload download(TaskRequest request) {
        while (true) {
            TaskRun run = runFor(request);
            if (run.requestFull(request)) {
                return new TaskDownload(run, store);
            }
            forget(run);
        }
    }

    /**
     * Asks for the pieces covering {@code [offset, offset+length)} (clipped to the content), ahead of
     * background pieces, fetching only those when no full download of the task is under way. Concurrent callers
     * wanting the same piece share one fetch.
     *
     * @return completes when every covering piece is stored; fails with a {@link DownloadFailedException}
     * @throws IllegalArgumentException when the range starts beyond the content
     */
    public CompletableFuture<Void> fetchRange(TaskRequest request, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " of task " + request.taskId());
        }
        Optional<TaskInfo> known = store.taskInfo(request.taskId());
        if (known.isPresent() && coveredLocally(known.get(), offset, length)) {
            metrics.traffic(PieceSource.LOCAL_PEER, Math.min(length, known.get().contentLength() - offset));
            return CompletableFuture.completedFuture(null);
        }
        while (true) {
            TaskRun run = runFor(request);
            long end = Math.min(run.contentLength(), offset + length);
            if (offset > run.contentLength() || (offset == run.contentLength() && length > 0)) {
                throw new IllegalArgumentException("range " + offset + "+" + length + " starts beyond the "
                        + run.contentLength() + " bytes of task " + request.taskId());
            }
            if (end <= offset) {
                return CompletableFuture.completedFuture(null);
            }
            int first = (int) (offset / run.pieceLength());
            int last = (int) ((end - 1) / run.pieceLength());
            CompletableFuture<Void> f = run.want(first, last, true);
            if (f != null) {
                return f;
            }
            forget(run);
        }
    }

    /**
     * Blocks until every piece covering {@code [offset, offset+length)} is stored (see {@link #fetchRange}).
     *
     * @throws DownloadFailedException when a covering piece cannot be had
     * @throws InterruptedException when interrupted while waiting (the pieces keep coming for other callers)
     */
    public void ensureRange(TaskRequest request, long offset, long length) throws InterruptedException {
        try {
            fetchRange(request, offset, length).get();
        } catch (ExecutionException e) {
            throw unwrap(request.taskId(), e.getCause());
        }
    }

    /** Host ids of parents avoided node-wide now because they sent corrupt pieces. */
    public Set<String> avoidedParentHosts() {
        return blocklist.current();
    }

    /** Task ids with a download under way on this node. */
    public Set<String> activeTasks() {
        return Set.copyOf(runs.keySet());
    }

    /** Fails every download under way and stops the engine's threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<TaskRun> active = new ArrayList<>();
        for (CompletableFuture<TaskRun> f : runs.values()) {
            TaskRun r = f.getNow(null);
            if (r != null) {
                active.add(r);
            }
        }
        for (TaskRun r : active) {
            r.abort("download engine closed");
        }
        drivers.shutdown();
        try {
            if (!drivers.awaitTermination(5, TimeUnit.SECONDS)) {
                drivers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drivers.shutdownNow();
        }
        workers.shutdownNow();
        LOG.info("download engine closed host_id={} aborted_tasks={}", host.hostId(), active.size());
    }

    // ------------------------------------------------------------------ runs

    private TaskRun runFor(TaskRequest request) {
        if (closed) {
            throw new IllegalStateException("download engine of host " + host.hostId() + " is closed");
        }
        String taskId = request.taskId();
        while (true) {
            CompletableFuture<TaskRun> mine = new CompletableFuture<>();
            CompletableFuture<TaskRun> existing = runs.putIfAbsent(taskId, mine);
            if (existing != null) {
                try {
                    return existing.join();
                } catch (CompletionException | CancellationException e) {
                    runs.remove(taskId, existing);
                    throw unwrap(taskId, e.getCause() == null ? e : e.getCause());
                }
            }
            TaskRun run;
            try {
                run = newRun(request);
            } catch (RuntimeException e) {
                metrics.taskFailedToStart(request);
                runs.remove(taskId, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            try {
                mine.complete(run);
                run.start();
                return run;
            } catch (RuntimeException e) {
                runs.remove(taskId, mine);
                mine.completeExceptionally(e);
                throw e;
            }
        }
    }

    private TaskRun newRun(TaskRequest request) {
        String taskId = request.taskId();
        Optional<TaskInfo> known = store.taskInfo(taskId);
        long contentLength;
        long pieceLength;
        if (known.isPresent()) {
            contentLength = known.get().contentLength();
            pieceLength = known.get().pieceLength();
        } else {
            contentLength = stat(request);
            pieceLength = request.pieceLength() > 0 ? request.pieceLength() : PieceLengths.forContentLength(contentLength);
            if (pieceLength > PieceGeometry.MAX_PIECE_LENGTH) {
                throw new IllegalArgumentException("piece length " + pieceLength + " of task " + taskId + " is above "
                        + PieceGeometry.MAX_PIECE_LENGTH);
            }
        }
        TaskLease lease;
        try {
            store.createTask(taskId, contentLength, (int) pieceLength);
            lease = store.pin(taskId);
        } catch (PieceStoreException e) {
            throw new DownloadFailedException(taskId, "piece store: " + e.getMessage(), e);
        }
        LOG.info("download started task_id={} url={} bytes={} piece_length={}", taskId, request.url(), contentLength,
                pieceLength);
        return new TaskRun(this, request, contentLength, (int) pieceLength, lease);
    }

    private long stat(TaskRequest request) {
        long t0 = System.nanoTime();
        String scheme = schemeOf(request.url());
        try {
            long length = request.origin().contentLength();
            metrics.backendRequest(scheme, "HEAD", true, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            if (length < 0) {
                throw new IOException("origin reported a negative content length " + length);
            }
            return length;
        } catch (IOException | RuntimeException e) {
            metrics.backendRequest(scheme, "HEAD", false, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            OptionalLong fromScheduler = lengthFromScheduler(request);
            if (fromScheduler.isPresent()) {
                LOG.warn("origin unreachable for the length of task_id={} ({}): using the scheduler's {} bytes; "
                        + "pieces come from peers", request.taskId(), e.toString(), fromScheduler.getAsLong());
                return fromScheduler.getAsLong();
            }
            throw new OriginUnavailableException(request.taskId(), request.origin().describe(), -1, e);
        }
    }

    /**
     * The task's length as the scheduler knows it from peers that have the task (StatTask), so a node can still
     * download from peers while the origin is down. Only a length backed by pieces counts: a task with no piece
     * count is ignored.
     */
    private OptionalLong lengthFromScheduler(TaskRequest request) {
        if (scheduler.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return scheduler.get().statTask(request.taskId())
                    .filter(t -> t.getContentLength() > 0 && t.getPieceCount() > 0)
                    .map(t -> OptionalLong.of(t.getContentLength()))
                    .orElse(OptionalLong.empty());
        } catch (RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private boolean coveredLocally(TaskInfo info, long offset, long length) {
        if (info.pieceCount() == 0 || offset >= info.contentLength() || length == 0) {
            return false;
        }
        long end = Math.min(info.contentLength(), offset + length);
        for (long n = offset / info.pieceLength(); n <= (end - 1) / info.pieceLength(); n++) {
            if (!store.hasPiece(info.taskId(), (int) n)) {
                return false;
            }
        }
        return true;
    }

    private void forget(TaskRun run) {
        runs.computeIfPresent(run.taskId(), (k, f) -> f.getNow(null) == run ? null : f);
    }

    /** Called by a run when it ended (finished, failed or idle). */
    void runEnded(TaskRun run) {
        forget(run);
    }

    private static DownloadFailedException unwrap(String taskId, Throwable t) {
        if (t instanceof DownloadFailedException d) {
            return d;
        }
        if (t instanceof RuntimeException r && !(t instanceof CompletionException)) {
            return new DownloadFailedException(taskId, r.toString(), r);
        }
        return new DownloadFailedException(taskId, String.valueOf(t), t);
    }

    private static String schemeOf(String url) {
        try {
            String s = URI.create(url).getScheme();
            return s == null ? "unknown" : s;
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    // ------------------------------------------------------------------ for TaskRun

    EngineConfig config() {
        return config;
    }

    PieceStore store() {
        return store;
    }

    Optional<SchedulerClient> scheduler() {
        return scheduler;
    }

    HostIdentity host() {
        return host;
    }

    PieceAvailability availability() {
        return availability;
    }

    PieceTransfer transfer() {
        return transfer;
    }

    PieceListener pieceListener() {
        return pieceListener;
    }

    ParentLoad parentLoad() {
        return parentLoad;
    }

    EngineMetrics metrics() {
        return metrics;
    }

    ParentBlocklist blocklist() {
        return blocklist;
    }

    ParentHostSlots parentHosts() {
        return parentHosts;
    }

    /** A parent host slot was given back: every running task may now dispatch a piece it held back for one. */
    private void wakeRuns() {
        for (CompletableFuture<TaskRun> f : runs.values()) {
            TaskRun run = f.getNow(null);
            if (run != null) {
                run.wake();
            }
        }
    }

    TokenBucket downloadBucket() {
        return downloadBucket;
    }

    TokenBucket backToSourceBucket() {
        return backToSourceBucket;
    }

    ExecutorService drivers() {
        return drivers;
    }

    ExecutorService workers() {
        return workers;
    }

    boolean verified(String taskId) {
        return verified.contains(taskId);
    }

    void markVerified(String taskId) {
        verified.add(taskId);
    }

    void forgetVerified(String taskId) {
        verified.remove(taskId);
    }
}

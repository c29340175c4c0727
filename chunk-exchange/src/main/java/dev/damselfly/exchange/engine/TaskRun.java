package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.PieceTransferException;
import dev.damselfly.piecestore.DigestMismatchException;
import dev.damselfly.piecestore.FollowerPlaces;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.TaskLease;
import dev.damselfly.scheduler.client.PeerSession;
import dev.damselfly.scheduler.client.ScheduleDecision;
import dev.damselfly.scheduler.client.id.HostIds;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Priority;
import dev.damselfly.scheduler.proto.common.v2.TaskType;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-wide download of one task: a state machine on its own driver thread (every state change runs there,
 * posted as events by API callers, SyncPieces streams and piece workers), piece transfers and origin reads on
 * worker threads.
 *
 * <p>What is fetched is the set of <em>wanted</em> pieces: all of them once a full download is asked for, else
 * those covering the ranges asked for (range-only runs end after {@link EngineConfig#rangeIdleTimeout()} idle).
 * A wanted piece is fetched once however many callers want it: it is in at most one of "in flight from a
 * parent", "queued for the origin", "in flight from the origin". Routing of a wanted piece (spec §2.4, §3.7):
 * <ol>
 *   <li>announced by a usable parent and out of its 100 ms hold → from a parent chosen weighted-randomly,
 *       {@link EngineConfig#concurrentPieceCount()} in flight; on failure at once from another parent that has
 *       it, else reported failed and sent to the origin; a parent that deflects it as a repeat (it is sending that
 *       piece to another child) is not asked for it for a second, and nothing is reported;</li>
 *   <li>unannounced while back-to-source is the decision (small task, no scheduler, NeedBackToSource, scheduler
 *       lost) → the origin, {@link EngineConfig#backToSourceConcurrency()} pieces in flight (1 at first, doubled by
 *       each piece stored from it), in {@link OriginPieceOrder}: ascending, one Range GET covering up to
 *       {@value #ORIGIN_RUN_PIECES} consecutive queued pieces, or one piece per GET from the far end of what other
 *       peers hold when the scheduler striped the task over several readers; a peer the scheduler sent to the origin keeps
 *       asking it for the peers holding pieces it lacks, and takes those pieces from them;</li>
 *   <li>unannounced when every parent stream has ended → reschedule; unannounced for
 *       {@link EngineConfig#collectedPieceTimeout()} → the origin.</li>
 * </ol>
 * Pieces asked for by a range request go before the others.
 */
final class TaskRun {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRun.class);
    /**
     * Most consecutive pieces one origin Range GET covers when the task is read from the origin in ascending order: 4
     * (16 MiB of 4 MiB pieces). Each piece is stored, announced and handed to readers as soon as its bytes are in, so
     * a streaming reader waits no longer than with a GET per piece, while the registry answers a quarter of the
     * requests (a docker-registry spent about 1.0 CPU-second serving 768 MiB in 4 MiB ranges, 0.5 in 16 MiB ranges and
     * 0.4 as whole blobs, see BENCHMARKS.md). The pieces in flight still count one by one against the task's origin
     * concurrency, so as many bytes are in flight as before.
     */
    static final int ORIGIN_RUN_PIECES = 4;
    /**
     * A reader that has its next piece and has not moved on for this long stopped reading (a paused client) and no
     * longer holds the origin read back (1 s).
     */
    private static final Duration READER_STALLED_AFTER = Duration.ofSeconds(1);
    /** Driver wake-up while pieces are inside their hold, nanoseconds (10 ms). */
    private static final long HOLD_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * Pieces of a task fetched from one parent at once, at most: 3. Many transfers sharing one parent's link all
     * finish late and together, so nobody has a piece to pass on; fewer finish early and spread through the swarm.
     */
    private static final int PER_PARENT_IN_FLIGHT = 3;
    /** Ready pieces compared when choosing the next one (rarest first, random among equals): 64. */
    private static final int CHOICE_WINDOW = 64;
    /**
     * Parents below which a running download asks the scheduler for more: 6 (Damselfly's scheduler links up to twice
     * its candidate limit of 3 on a top-up).
     */
    private static final int TOP_UP_BELOW_PARENTS = 6;
    /** Top-ups in quick succession after a scheduling answer: 3 (after 1 s, 2 s and 4 s). */
    private static final int QUICK_TOP_UPS = 3;
    /** Wait after a scheduling answer before the first top-up, nanoseconds (1 s); doubles for each quick one. */
    private static final long TOP_UP_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * After the quick top-ups, a download still below {@value #TOP_UP_BELOW_PARENTS} parents asks again once per this
     * period, nanoseconds (8 s): peers that started later (a rolling update) have pieces by then, and in a mesh they
     * may serve the peers that started before them.
     */
    private static final long TOP_UP_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(8);
    /**
     * Period of the top-ups of a reader without parents (a peer the scheduler sent to the origin), nanoseconds (2 s):
     * a second reader of the task starts from the far end, and each second before this one hears of it may be a
     * second of reading pieces that reader already has. Once it has parents, the usual schedule applies.
     */
    private static final long READER_TOP_UP_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(2);
    /**
     * A reader that leaves a striped task's last pieces to the other reader ({@link OriginPieceOrder#yieldsToLowerReader})
     * reads them itself once no new piece of the task has been announced for this long, nanoseconds (10 s): the other
     * reader stopped or died.
     */
    private static final long YIELD_LIVENESS_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * No piece stored for this long while every parent that has a missing piece answers "busy": the download asks
     * the scheduler for more parents even after its regular top-ups, at most once per this period, nanoseconds (5 s).
     */
    private static final long STARVING_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * A parent that deflected a piece as a repeat (it is sending that piece to another child) is not asked for it again
     * for this long, nanoseconds (1 s); other parents, and other pieces of that parent, may be asked meanwhile.
     */
    private static final long REPEAT_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Driver wake-up otherwise, nanoseconds (200 ms). */
    private static final long IDLE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private enum Phase { STARTING, REGISTERING, RUNNING }

    private final DownloadEngine engine;
    private final EngineConfig config;
    private final TaskRequest request;
    private final String taskId;
    private final long contentLength;
    private final int pieceLength;
    private final int pieceCount;
    private final String scheme;
    private final TaskLease lease;
    private final long startNanos = System.nanoTime();
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    /** A {@link #wake} event is in {@link #events} and has not run yet. */
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final PieceFutures pieceFutures;
    private final CompletableFuture<DownloadResult> completion = new CompletableFuture<>();
    private final Map<PieceSource, AtomicLong> bytes = new EnumMap<>(PieceSource.class);

    private final Object gate = new Object();
    private boolean closed; // guarded by gate: no more API events accepted
    private volatile String expectedSha256;
    private volatile SessionReporter session;

    // driver-confined state
    private Phase phase = Phase.STARTING;
    private boolean terminated;
    private boolean full;
    private final BitSet stored = new BitSet();
    private final BitSet wanted = new BitSet();
    private final BitSet priority = new BitSet();
    private final BitSet peerInFlight = new BitSet();
    private final BitSet originQueue = new BitSet();
    private final BitSet originInFlight = new BitSet();
    private int originStored; // pieces this run has stored from the origin: its in-flight limit ramps up with them
    private final BitSet fromOrigin = new BitSet(); // pieces this run stored from the origin
    private final Map<Integer, Set<String>> failedParentsOfPiece = new HashMap<>();
    private final Map<String, Peer> failedParents = new LinkedHashMap<>();
    private final ParentSwarm swarm = new ParentSwarm();
    private boolean originFallback;
    private boolean schedulerReader; // the scheduler told this peer to read from the origin: it still tops up parents
    private boolean rescheduling;
    private long lastAnnouncementNanos = System.nanoTime();
    private long queueCheckedNanos; // lastAnnouncementNanos when the origin queue was last checked against parents
    private long lastDecisionNanos = System.nanoTime();
    private int topUps;
    private boolean topUpsStopped; // the scheduler could not answer one: keep the current parents
    private long idleSinceNanos;
    private long lastStoredNanos = System.nanoTime();
    private ContentHasher hasher; // created when a full download expects a SHA-256
    /** The last dispatch left queued origin pieces for the local readers to catch up ({@link #readers}). */
    private boolean heldForReaders;

    TaskRun(DownloadEngine engine, TaskRequest request, long contentLength, int pieceLength, TaskLease lease) {
        this.engine = engine;
        this.config = engine.config();
        this.request = request;
        this.taskId = request.taskId();
        this.contentLength = contentLength;
        this.pieceLength = pieceLength;
        this.pieceCount = (int) ((contentLength + pieceLength - 1) / pieceLength);
        this.scheme = schemeOf(request.url());
        this.lease = lease;
        this.expectedSha256 = request.expectedSha256().orElse(null);
        this.pieceFutures = new PieceFutures(pieceCount, n -> engine.store().hasPiece(taskId, n));
        for (PieceSource s : PieceSource.values()) {
            bytes.put(s, new AtomicLong());
        }
    }

    // ------------------------------------------------------------------ API (any thread)

    String taskId() {
        return taskId;
    }

    long contentLength() {
        return contentLength;
    }

    int pieceLength() {
        return pieceLength;
    }

    int pieceCount() {
        return pieceCount;
    }

    long bytes(PieceSource source) {
        return bytes.get(source).get();
    }

    CompletableFuture<DownloadResult> completion() {
        return completion;
    }

    CompletableFuture<Void> pieceFuture(int n) {
        return pieceFutures.get(n);
    }

    void start() {
        engine.metrics().taskStarted(request);
        engine.drivers().execute(this::drive);
    }

    /** Joins as a full download; false when this run has already ended (the caller starts a new one). */
    boolean requestFull(TaskRequest r) {
        synchronized (gate) {
            if (closed) {
                return false;
            }
            r.expectedSha256().ifPresent(d -> expectedSha256 = d);
            events.add(() -> {
                if (!full) {
                    full = true;
                    wanted.set(0, pieceCount);
                    LOG.info("full download joined task_id={} pieces={} stored={}", taskId, pieceCount,
                            stored.cardinality());
                }
            });
            return true;
        }
    }

    /**
     * Wants pieces {@code first … last} (inclusive), before background pieces when {@code urgent}.
     *
     * @return a future completing when all are stored, or null when this run has already ended
     */
    CompletableFuture<Void> want(int first, int last, boolean urgent) {
        synchronized (gate) {
            if (closed) {
                return null;
            }
            CompletableFuture<?>[] all = new CompletableFuture<?>[last - first + 1];
            for (int n = first; n <= last; n++) {
                all[n - first] = pieceFutures.get(n);
            }
            events.add(() -> {
                wanted.set(first, last + 1);
                if (urgent) {
                    priority.set(first, last + 1);
                }
            });
            return CompletableFuture.allOf(all);
        }
    }

    /** Fails the run (engine shutdown). */
    void abort(String why) {
        events.add(() -> fail(new DownloadFailedException(taskId, why, null)));
    }

    /** The future of piece {@code n}, moving it to the front when it is not stored yet. */
    CompletableFuture<Void> awaitPiece(int n) {
        CompletableFuture<Void> f = pieceFutures.get(n);
        if (!f.isDone()) {
            CompletableFuture<Void> w = want(n, n, true);
            if (w == null && !f.isDone()) {
                return CompletableFuture.failedFuture(
                        new DownloadFailedException(taskId, "download ended before piece " + n + " was stored", null));
            }
        }
        return f;
    }

    // ------------------------------------------------------------------ driver

    private void post(Runnable event) {
        events.add(event);
    }

    /**
     * Makes the driver take a step soon (a parent host slot, possibly taken by another task, was given back). At most
     * one such wake-up is queued at a time. Any thread.
     */
    void wake() {
        if (wakeQueued.compareAndSet(false, true)) {
            events.add(() -> wakeQueued.set(false));
        }
    }

    private void drive() {
        try {
            begin();
            while (!terminated) {
                long now = System.nanoTime();
                long wait = phase == Phase.RUNNING && (swarm.holding(now, config.pieceHold().toNanos())
                        || anyParentBusy(now) || heldForReaders) ? HOLD_TICK_NANOS : IDLE_TICK_NANOS;
                Runnable event = events.poll(wait, TimeUnit.NANOSECONDS);
                while (event != null && !terminated) {
                    event.run();
                    event = events.poll();
                }
                if (!terminated) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            fail(new DownloadFailedException(taskId, "interrupted", e));
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void begin() {
        stored.or(engine.store().storedPieces(taskId));
        for (int n = stored.nextSetBit(0); n >= 0; n = stored.nextSetBit(n + 1)) {
            pieceFutures.complete(n);
        }
        phase = Phase.RUNNING;
        if (stored.cardinality() == pieceCount) {
            LOG.info("task already stored task_id={} bytes={}", taskId, contentLength);
            return;
        }
        boolean small = contentLength <= config.directOriginThreshold();
        if (engine.scheduler().isEmpty() || (small && config.backToSourceEnabled())) {
            originFallback = true;
            LOG.info("back-to-source directly task_id={} url={} bytes={} reason={}", taskId, request.url(),
                    contentLength, small ? "small task" : "no scheduler");
            return;
        }
        register();
    }

    private void register() {
        var identity = engine.host();
        String peerId = HostIds.peerId(identity.ip(), identity.hostname(), identity.seed());
        Download.Builder d = Download.newBuilder()
                .setUrl(request.url())
                .setType(TaskType.STANDARD)
                .setPriority(Priority.forNumber(request.priority()))
                .putAllRequestHeader(request.requestHeaders())
                .setActualContentLength(contentLength)
                .setActualPieceLength(pieceLength)
                .setActualPieceCount(pieceCount)
                .setConcurrentPieceCount(config.concurrentPieceCount())
                .setNeedBackToSource(false)
                .setDisableBackToSource(!config.backToSourceEnabled());
        if (pieceLength >= DownloadEngine.MIN_WIRE_PIECE_LENGTH && pieceLength <= DownloadEngine.MAX_WIRE_PIECE_LENGTH) {
            d.setPieceLength(pieceLength);
        }
        request.tag().ifPresent(d::setTag);
        request.application().ifPresent(d::setApplication);
        String sha = expectedSha256;
        if (sha != null) {
            d.setDigest("sha256:" + sha);
        }
        PeerSession peer;
        try {
            peer = engine.scheduler().orElseThrow().openPeer(taskId, peerId, d.build());
        } catch (RuntimeException e) {
            onSchedulerLost(e);
            return;
        }
        SessionReporter s = new SessionReporter(peer);
        session = s;
        phase = Phase.REGISTERING;
        engine.workers().execute(() -> {
            try {
                ScheduleDecision decision = s.register();
                post(() -> onDecision(decision));
            } catch (RuntimeException e) {
                post(() -> onSchedulerLost(e));
            }
        });
    }

    private void onDecision(ScheduleDecision decision) {
        phase = Phase.RUNNING;
        lastDecisionNanos = System.nanoTime();
        SessionReporter s = session;
        String peerId = s == null ? "-" : s.peerId();
        if (decision instanceof ScheduleDecision.Parents parents) {
            List<String> skipped = new ArrayList<>();
            int added = 0;
            for (Peer p : parents.candidates()) {
                if (swarm.contains(p.getId())) {
                    continue;
                }
                if (engine.blocklist().avoided(p.getHost().getId()) || failedParents.containsKey(p.getId())) {
                    skipped.add(p.getId());
                    continue;
                }
                subscribe(p);
                added++;
            }
            if (added > 0) {
                // only a new parent restarts the wait for announcements: a top-up answered with the same parents
                // must not keep unannounced pieces from going to the origin after collectedPieceTimeout
                lastAnnouncementNanos = System.nanoTime();
            }
            if (added > 0 || !skipped.isEmpty()) {
                LOG.info("parents task_id={} peer_id={} parents={} skipped={}", taskId, peerId,
                        parents.candidates().stream().map(Peer::getId).toList(), skipped);
            } else {
                LOG.debug("parents unchanged task_id={} peer_id={} parents={}", taskId, peerId,
                        parents.candidates().stream().map(Peer::getId).toList());
            }
            if (swarm.usable() == 0 && !originFallback) {
                originFallback = true;
                LOG.info("no usable parent task_id={} peer_id={}: back-to-source", taskId, peerId);
            }
        } else if (decision instanceof ScheduleDecision.BackToSource bts) {
            originFallback = true;
            schedulerReader = bts.fromScheduler();
            LOG.info("back-to-source task_id={} peer_id={} from_scheduler={} reason={}", taskId, peerId,
                    bts.fromScheduler(), bts.reason());
        } else {
            // EmptyTask / MetadataOnly: the session is already finished; nothing more to report
            originFallback = true;
            LOG.info("decision {} task_id={} peer_id={}: back-to-source", decision, taskId, peerId);
        }
    }

    private void onSchedulerLost(RuntimeException e) {
        phase = Phase.RUNNING;
        rescheduling = false;
        originFallback = true;
        LOG.warn("scheduler unavailable task_id={} peer_id={}: back-to-source: {}", taskId,
                session == null ? "-" : session.peerId(), e.toString());
    }

    private void subscribe(Peer peer) {
        Host h = peer.getHost();
        ParentEndpoint endpoint;
        try {
            endpoint = new ParentEndpoint(peer.getId(), h.getId(), h.getIp(), h.getPort());
        } catch (RuntimeException e) {
            LOG.warn("unusable parent task_id={} parent_id={}: {}", taskId, peer.getId(), e.getMessage());
            return;
        }
        ParentSwarm.Parent parent = swarm.add(peer, endpoint);
        try {
            parent.load = engine.parentLoad().track(endpoint, engine.host().hostId(), session.peerId());
        } catch (RuntimeException e) {
            LOG.warn("parent load not tracked task_id={} parent={} parent_host={}: {}", taskId, endpoint.address(),
                    endpoint.hostId(), e.toString());
        }
        List<Integer> interested = new ArrayList<>();
        for (int n = stored.nextClearBit(0); n < pieceCount; n = stored.nextClearBit(n + 1)) {
            interested.add(n);
        }
        PieceAvailability.Listener listener = new PieceAvailability.Listener() {
            @Override
            public void onPiece(PieceAnnouncement piece) {
                post(() -> onAnnounced(parent, piece));
            }

            @Override
            public void onError(Throwable error) {
                post(() -> onStreamEnded(parent, error));
            }

            @Override
            public void onCompleted() {
                post(() -> onStreamEnded(parent, null));
            }
        };
        try {
            parent.subscription = engine.availability().subscribe(endpoint, taskId, engine.host().hostId(),
                    interested, listener);
            LOG.info("sync pieces task_id={} peer_id={} parent={} parent_id={} interested={}", taskId,
                    session.peerId(), endpoint.address(), endpoint.peerId(), interested.size());
        } catch (RuntimeException e) {
            swarm.streamEnded(parent, true);
            failedParents.put(peer.getId(), peer);
            LOG.warn("sync pieces failed task_id={} parent={} parent_id={}: {}", taskId, endpoint.address(),
                    endpoint.peerId(), e.toString());
        }
    }

    private void onAnnounced(ParentSwarm.Parent parent, PieceAnnouncement a) {
        if (!parent.usable) {
            return;
        }
        if (a.number() < 0 || a.number() >= pieceCount || a.length() != lengthOf(a.number())) {
            LOG.warn("bad announcement ignored task_id={} parent={} piece={} length={}", taskId,
                    parent.endpoint.address(), a.number(), a.length());
            return;
        }
        long now = System.nanoTime();
        swarm.announced(parent, a, now);
        lastAnnouncementNanos = now;
    }

    private void onStreamEnded(ParentSwarm.Parent parent, Throwable error) {
        if (!parent.streamOpen) {
            return;
        }
        swarm.streamEnded(parent, error != null);
        if (error != null) {
            failedParents.put(parent.peerId(), parent.peer);
            LOG.warn("sync pieces ended task_id={} parent={} parent_id={}: {}", taskId, parent.endpoint.address(),
                    parent.peerId(), error.toString());
        } else {
            LOG.debug("sync pieces completed task_id={} parent={}", taskId, parent.endpoint.address());
        }
    }

    /** One round: route wanted pieces, start transfers, finish when done. */
    private void step() {
        long now = System.nanoTime();
        if (phase != Phase.RUNNING) {
            return;
        }
        SessionReporter s = session;
        if (s != null && !rescheduling && !originFallback) {
            Optional<ScheduleDecision> late = s.pollDecision();
            if (late.isPresent()) {
                onDecision(late.get());
            }
        }
        route(now);
        if (terminated) {
            return;
        }
        maybeTopUp(now);
        dispatchToParents(now);
        dispatchToOrigin();
        checkDone(now);
    }

    private void route(long now) {
        boolean exhausted = swarm.openStreams() == 0;
        boolean collectTimedOut = now - lastAnnouncementNanos > config.collectedPieceTimeout().toNanos();
        boolean reschedule = false;
        for (int n = wanted.nextSetBit(0); n >= 0 && !terminated; n = wanted.nextSetBit(n + 1)) {
            if (stored.get(n) || peerInFlight.get(n) || originQueue.get(n) || originInFlight.get(n)) {
                continue;
            }
            if (swarm.hasCandidate(n, failedParentsOfPiece.getOrDefault(n, Set.of()), engine.blocklist()::avoided)) {
                continue;
            }
            SessionReporter s = session;
            if (originFallback) {
                toOrigin(n, "back-to-source");
            } else if (exhausted && !rescheduling && s != null && s.canReschedule()) {
                reschedule = true;
            } else if (exhausted && !rescheduling) {
                toOrigin(n, "parents exhausted");
            } else if (collectTimedOut) {
                toOrigin(n, "no parent announced it within " + config.collectedPieceTimeout().toMillis() + " ms");
            }
        }
        if (reschedule) {
            requestReschedule("parents exhausted");
        }
    }

    private List<ParentSwarm.Parent> candidates(int n) {
        return swarm.candidates(n, failedParentsOfPiece.getOrDefault(n, Set.of()), engine.blocklist()::avoided);
    }

    private void dispatchToParents(long now) {
        long hold = config.pieceHold().toNanos();
        while (peerInFlight.cardinality() < config.concurrentPieceCount()) {
            int n = nextReady(priority, now, hold);
            if (n < 0) {
                n = nextReady(wanted, now, hold);
            }
            if (n < 0) {
                return;
            }
            // host slots are shared with other tasks' drivers: the parents nextReady saw open may have closed since
            List<ParentSwarm.Parent> options = askable(candidates(n), n, now);
            if (options.isEmpty()) {
                return; // a slot given back wakes this driver (wake), a back-off ends on a tick
            }
            ParentSwarm.Parent parent = WeightedChoice.choose(options, p -> ParentWeight.of(p.load.bandwidth()),
                    ThreadLocalRandom.current());
            if (!engine.parentHosts().tryTake(parent.hostId(), now)) {
                return;
            }
            PieceAnnouncement a = parent.announced.get(n);
            peerInFlight.set(n);
            parent.inFlight++;
            int number = n;
            try {
                engine.workers().execute(() -> fetchFromParent(number, parent, a));
            } catch (RuntimeException e) {
                engine.parentHosts().failed(parent.hostId()); // the slot is shared with other tasks: never leak it
                throw e;
            }
        }
    }

    /**
     * The next piece to ask a parent for: among the first {@value #CHOICE_WINDOW} ready pieces of {@code among}, one
     * announced by the fewest parents, at random among those (rarest first, as BitTorrent does: children that start
     * together then fetch different pieces and can trade them); pieces a reader waits for ({@code priority}) go in
     * order.
     */
    private int nextReady(BitSet among, long now, long hold) {
        boolean inOrder = among == priority;
        int best = -1;
        int bestParents = Integer.MAX_VALUE;
        int ties = 0;
        int seen = 0;
        if (!markAskable(now)) {
            return -1; // no parent takes a request now: no piece can go anywhere
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Predicate<String> avoided = engine.blocklist()::avoided;
        for (int n = among.nextSetBit(0); n >= 0 && seen < CHOICE_WINDOW; n = among.nextSetBit(n + 1)) {
            if (!wanted.get(n) || stored.get(n) || peerInFlight.get(n) || originQueue.get(n) || originInFlight.get(n)
                    || !swarm.ready(n, now, hold)) {
                continue;
            }
            Set<String> failed = failedParentsOfPiece.getOrDefault(n, Set.of());
            int parents = 0;
            boolean reachable = false;
            for (ParentSwarm.Parent p : swarm.all()) {
                if (ParentSwarm.candidate(p, n, failed, avoided)) {
                    parents++;
                    reachable |= p.askableNow && !p.deferred(n, now);
                }
            }
            if (!reachable) {
                continue;
            }
            if (inOrder) {
                return n;
            }
            seen++;
            if (parents < bestParents) {
                best = n;
                bestParents = parents;
                ties = 1;
            } else if (parents == bestParents && random.nextInt(++ties) == 0) {
                best = n;
            }
        }
        return best;
    }

    /**
     * The parents that can take one more request: below {@value #PER_PARENT_IN_FLIGHT} pieces of this task in flight,
     * and their host {@linkplain ParentHostSlots#open open} to this node (a free slot among all tasks' requests, no
     * back-off after a "busy" answer). A piece whose only parents are busy waits for them (it is still routed as having
     * candidates, so it never goes to the origin for that reason). Parents that deflected piece {@code n} as a repeat a
     * moment ago are left out for it.
     */
    private List<ParentSwarm.Parent> askable(List<ParentSwarm.Parent> parents, int n, long now) {
        List<ParentSwarm.Parent> out = new ArrayList<>(parents.size());
        for (ParentSwarm.Parent p : parents) {
            if (askable(p, now) && !p.deferred(n, now)) {
                out.add(p);
            }
        }
        return out;
    }

    private boolean askable(ParentSwarm.Parent p, long now) {
        return p.inFlight < PER_PARENT_IN_FLIGHT && engine.parentHosts().open(p.hostId(), now);
    }

    /** Sets every parent's {@code askableNow} ({@link #askable}, once per parent rather than per piece); any true? */
    private boolean markAskable(long now) {
        boolean any = false;
        for (ParentSwarm.Parent p : swarm.all()) {
            p.askableNow = p.usable && askable(p, now);
            any |= p.askableNow;
        }
        return any;
    }

    /** True when some usable parent's host is backing off after a "busy" answer. */
    private boolean anyParentBusy(long now) {
        for (ParentSwarm.Parent p : swarm.all()) {
            if (p.usable && engine.parentHosts().backingOff(p.hostId(), now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The parent refused the piece only because it is at its upload capacity (Vortex Error, spec §2.5): not a
     * failure, no report, no origin; its host is left alone by every task for a back-off and the piece goes to
     * whichever parent has it next.
     */
    private void onParentBusy(int n, ParentSwarm.Parent parent, long backoff) {
        peerInFlight.clear(n);
        parent.inFlight--;
        LOG.debug("parent busy task_id={} piece={} parent={} parent_id={} backoff_ms={}", taskId, n,
                parent.endpoint.address(), parent.peerId(), TimeUnit.NANOSECONDS.toMillis(backoff));
    }

    /**
     * The parent is sending piece {@code n} to another child, or has just sent it, and has room for other pieces
     * (first copies first): not a failure, no report, no back-off; the piece is not asked of this parent for
     * {@value #REPEAT_RETRY_NANOS} ns, and the next pick is another piece or another parent.
     */
    private void onRepeatDeflected(int n, ParentSwarm.Parent parent) {
        peerInFlight.clear(n);
        parent.inFlight--;
        parent.defer(n, System.nanoTime() + REPEAT_RETRY_NANOS);
        LOG.debug("parent deflected repeat task_id={} piece={} parent={} parent_id={}", taskId, n,
                parent.endpoint.address(), parent.peerId());
    }

    /**
     * Origin ranges allowed in flight: 1 until the first piece from the origin is stored, then doubled by each one
     * stored, up to {@link EngineConfig#backToSourceConcurrency()}. Ranges fetched at once share the origin's link, so
     * the first piece, which a streaming reader is waiting for, would otherwise take as long as all of them.
     */
    private int originConcurrency() {
        return (int) Math.min(config.backToSourceConcurrency(), 1L << Math.min(originStored, 30));
    }

    private void dispatchToOrigin() {
        heldForReaders = false;
        if (originQueue.isEmpty() || originInFlight.cardinality() >= originConcurrency()) {
            return; // most steps of a busy reader end here, before any scan
        }
        if (queueCheckedNanos != lastAnnouncementNanos) {
            // a queued piece that a parent has announced since goes to that parent instead (another reader read it)
            queueCheckedNanos = lastAnnouncementNanos;
            for (int q = originQueue.nextSetBit(0); q >= 0; q = originQueue.nextSetBit(q + 1)) {
                if (stored.get(q) || swarm.hasCandidate(q, failedParentsOfPiece.getOrDefault(q, Set.of()),
                        engine.blocklist()::avoided)) {
                    originQueue.clear(q);
                }
            }
        }
        BitSet heldElsewhere = swarm.announcedByUsable();
        heldElsewhere.andNot(fromOrigin);
        if (schedulerReader && !originQueue.intersects(priority) && !heldElsewhere.isEmpty()
                && OriginPieceOrder.yieldsToLowerReader(originQueue, heldElsewhere, originInFlight.cardinality())
                && System.nanoTime() - swarm.lastNewPieceNanos() < YIELD_LIVENESS_NANOS) {
            return; // the reader working up takes the last pieces while it keeps bringing new ones
        }
        int limit = OriginPieceOrder.concurrency(originConcurrency(), !heldElsewhere.isEmpty(),
                originQueue.cardinality(), originInFlight.cardinality());
        FollowerPlaces readers = heldElsewhere.isEmpty() ? readers() : FollowerPlaces.NONE;
        int ahead = (int) Math.min(Integer.MAX_VALUE,
                Math.max(ORIGIN_RUN_PIECES, config.originAheadBytes() / pieceLength));
        while (originInFlight.cardinality() < limit && !originQueue.isEmpty()) {
            int n = -1;
            for (int p = priority.nextSetBit(0); p >= 0; p = priority.nextSetBit(p + 1)) {
                if (originQueue.get(p)) {
                    n = p;
                    break;
                }
            }
            if (n < 0) {
                n = OriginPieceOrder.next(originQueue, heldElsewhere);
                while (n >= 0 && !readers.allows(n, ahead)) { // the lowest one a reader does not hold back
                    n = originQueue.nextSetBit(n + 1);
                }
                if (n < 0) {
                    heldForReaders = true; // the driver looks again every tick, as the readers move on
                    break;
                }
            }
            originQueue.clear(n);
            if (stored.get(n)) {
                continue;
            }
            int count = 1;
            if (heldElsewhere.isEmpty()) { // ascending: the same GET takes the next queued pieces too
                int room = limit - originInFlight.cardinality();
                while (count < ORIGIN_RUN_PIECES && count < room && n + count < pieceCount
                        && readers.allows(n + count, ahead) && originQueue.get(n + count) && !stored.get(n + count)) {
                    originQueue.clear(n + count);
                    count++;
                }
            }
            originInFlight.set(n, n + count);
            int first = n;
            int pieces = count;
            engine.workers().execute(() -> fetchFromOrigin(first, pieces));
        }
    }

    /**
     * The local readers that hold an ascending origin read back: a reader that follows the task in order (the
     * mirror's stream to a client, the task's SHA-256; {@code PieceStore.follow}) allows the pieces it will read up to
     * {@link EngineConfig#originAheadBytes()} past its place (at least {@value #ORIGIN_RUN_PIECES} pieces); a piece no
     * reader will read is not held back, so range readers at different places of a blob each have their own window.
     * None when the bound is off.
     *
     * <p>Without it the origin GETs of a task run as far ahead as the concurrency allows: when the GET carrying the
     * piece a client waits for is slow (on a shaped link, a connection that lost packets), the others carry later
     * pieces, the client gets nothing meanwhile, and then gets the rest in a burst it has to verify and store in one
     * go (a cache-miss {@code ctr images pull} across a 1000 Mbit/s link stalled for seconds per layer this way). Held
     * back, the link goes to the pieces readers need next, and those are still in memory when read.
     */
    private FollowerPlaces readers() {
        if (config.originAheadBytes() == 0) {
            return FollowerPlaces.NONE;
        }
        return engine.store().followerPlaces(taskId, READER_STALLED_AFTER);
    }

    private void toOrigin(int n, String why) {
        if (!config.backToSourceEnabled()) {
            fail(new BackToSourceDisabledException(taskId, n, why));
            return;
        }
        originQueue.set(n);
        LOG.debug("piece to origin task_id={} piece={} reason={}", taskId, n, why);
    }

    /**
     * A child that registered while few peers had pieces got few parents (often only the source); once the others
     * have pieces it asks the scheduler for more, keeping its current ones: after 1 s, 2 s and 4 s, then every 8 s,
     * while it has fewer than {@value #TOP_UP_BELOW_PARENTS} usable parents and pieces to fetch (peers that join
     * later, as in a rolling update, then become its parents too). A peer the scheduler sent to the origin does the
     * same, every 2 s while it has no parent: the answer names the peers holding pieces it lacks (another reader's,
     * when the task is striped); and a child's top-up may be answered with back-to-source, making it a second reader
     * that keeps its parents.
     */
    private void maybeTopUp(long now) {
        SessionReporter s = session;
        if (s == null || rescheduling || (originFallback && !schedulerReader) || !s.canRefreshParents()
                || stored.cardinality() == pieceCount) {
            return;
        }
        boolean starving = now - lastStoredNanos >= STARVING_NANOS && now - lastDecisionNanos >= STARVING_NANOS
                && peerInFlight.isEmpty() && anyParentBusy(now);
        long delay = originFallback && swarm.usable() == 0 ? READER_TOP_UP_PERIOD_NANOS
                : topUps < QUICK_TOP_UPS ? TOP_UP_DELAY_NANOS << topUps : TOP_UP_PERIOD_NANOS;
        if (!starving && (topUpsStopped || swarm.usable() >= TOP_UP_BELOW_PARENTS
                || now - lastDecisionNanos < delay)) {
            return;
        }
        BitSet missing = (BitSet) wanted.clone();
        missing.andNot(stored);
        if (missing.isEmpty() && !full) {
            return;
        }
        rescheduling = true;
        String why;
        if (starving) {
            lastDecisionNanos = now; // at most one such request per period, answered or not
            why = "starving: no piece for " + TimeUnit.NANOSECONDS.toSeconds(now - lastStoredNanos)
                    + " s, parents busy";
            LOG.info("asking for more parents task_id={} peer_id={} reason={}", taskId, peerIdForLog(), why);
        } else {
            topUps++;
            why = "top-up " + topUps + ": fewer than " + TOP_UP_BELOW_PARENTS + " parents";
        }
        engine.workers().execute(() -> {
            try {
                ScheduleDecision d = s.refreshParents(why);
                post(() -> {
                    rescheduling = false;
                    onDecision(d);
                });
            } catch (RuntimeException e) {
                // the current parents are still good: a scheduler that cannot answer a top-up ends the top-ups only
                post(() -> {
                    rescheduling = false;
                    topUpsStopped = true;
                    LOG.warn("top-up failed task_id={} peer_id={}: keeping the current parents: {}", taskId,
                            peerIdForLog(), e.toString());
                });
            }
        });
    }

    private void requestReschedule(String why) {
        SessionReporter s = session;
        if (s == null || rescheduling || !s.canReschedule()) {
            return;
        }
        rescheduling = true;
        List<Peer> used = new ArrayList<>(failedParents.values());
        if (used.isEmpty()) {
            swarm.all().forEach(p -> used.add(p.peer));
        }
        engine.workers().execute(() -> {
            try {
                ScheduleDecision d = s.reschedule(used, why);
                post(() -> {
                    rescheduling = false;
                    onDecision(d);
                });
            } catch (RuntimeException e) {
                post(() -> onSchedulerLost(e));
            }
        });
    }

    private void onParentFailure(int n, ParentSwarm.Parent parent, Throwable error) {
        peerInFlight.clear(n);
        parent.inFlight--;
        failedParentsOfPiece.computeIfAbsent(n, k -> new java.util.HashSet<>()).add(parent.peerId());
        parent.failures++;
        LOG.warn("piece from parent failed task_id={} peer_id={} piece={} parent={} parent_id={}: {}", taskId,
                peerIdForLog(), n, parent.endpoint.address(), parent.peerId(), error.toString());
        if (parent.usable && parent.failures >= config.parentFailureLimit()) {
            swarm.drop(parent);
            failedParents.put(parent.peerId(), parent.peer);
            LOG.warn("parent dropped task_id={} parent={} parent_id={} failures={}", taskId, parent.endpoint.address(),
                    parent.peerId(), parent.failures);
        }
        retryElsewhere(n, parent);
    }

    private void onCorrupt(int n, ParentSwarm.Parent parent, DigestMismatchException e) {
        peerInFlight.clear(n);
        parent.inFlight--;
        failedParentsOfPiece.computeIfAbsent(n, k -> new java.util.HashSet<>()).add(parent.peerId());
        LOG.warn("corrupt piece from parent task_id={} peer_id={} piece={} parent={} parent_id={} expected={} actual={}",
                taskId, peerIdForLog(), n, parent.endpoint.address(), parent.peerId(), e.expected(), e.actual());
        SessionReporter s = session;
        if (s != null) {
            s.pieceFailed(n, parent.peerId());
        }
        if (parent.usable) {
            swarm.drop(parent);
            failedParents.put(parent.peerId(), parent.peer);
            engine.blocklist().avoid(parent.hostId(), config.parentAvoidance());
            LOG.warn("parent avoided task_id={} parent={} parent_host={} for_ms={}", taskId, parent.endpoint.address(),
                    parent.hostId(), config.parentAvoidance().toMillis());
            requestReschedule("parent " + parent.peerId() + " sent a corrupt piece " + n);
        }
        if (candidates(n).isEmpty()) {
            toOrigin(n, "every parent that has it failed");
        }
    }

    /** Leaves the piece to another parent that has it, or reports it failed and sends it to the origin. */
    private void retryElsewhere(int n, ParentSwarm.Parent failed) {
        if (!candidates(n).isEmpty()) {
            return;
        }
        SessionReporter s = session;
        if (s != null) {
            s.pieceFailed(n, failed.peerId());
        }
        toOrigin(n, "every parent that has it failed");
    }

    private void checkDone(long now) {
        if (full) {
            if (stored.cardinality() == pieceCount) {
                finishFull();
            } else if (expectedSha256 != null) {
                contentHasher().advance(stored);
            }
            return;
        }
        boolean busy = !peerInFlight.isEmpty() || !originInFlight.isEmpty() || !originQueue.isEmpty();
        BitSet outstanding = (BitSet) wanted.clone();
        outstanding.andNot(stored);
        if (busy || !outstanding.isEmpty()) {
            idleSinceNanos = 0;
            return;
        }
        if (idleSinceNanos == 0) {
            idleSinceNanos = now;
        } else if (now - idleSinceNanos >= config.rangeIdleTimeout().toNanos()) {
            endIdle();
        }
    }

    private void finishFull() {
        String sha = expectedSha256;
        boolean fetched = bytes(PieceSource.REMOTE_PEER) + bytes(PieceSource.BACK_TO_SOURCE) > 0;
        boolean readBack = sha != null && (fetched || !engine.verified(taskId));
        if (readBack) {
            String actual = contentHasher().finish();
            if (!actual.equals(sha)) {
                engine.store().deleteTask(taskId);
                engine.forgetVerified(taskId);
                fail(new ContentDigestMismatchException(taskId, request.url(), sha, actual));
                return;
            }
            engine.markVerified(taskId);
        }
        SessionReporter s = session;
        if (s != null) {
            s.finished();
        }
        long local = Math.max(0, contentLength - bytes(PieceSource.REMOTE_PEER) - bytes(PieceSource.BACK_TO_SOURCE));
        bytes.get(PieceSource.LOCAL_PEER).set(local);
        engine.metrics().traffic(PieceSource.LOCAL_PEER, local);
        Map<PieceSource, Long> bySource = new EnumMap<>(PieceSource.class);
        bytes.forEach((k, v) -> bySource.put(k, v.get()));
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        DownloadResult result = new DownloadResult(taskId, contentLength, bySource, took,
                Optional.ofNullable(sha), readBack);
        LOG.info("download finished task_id={} peer_id={} bytes={} back_to_source={} remote_peer={} local_peer={}"
                        + " took_ms={}", taskId, peerIdForLog(), contentLength, bySource.get(PieceSource.BACK_TO_SOURCE),
                bySource.get(PieceSource.REMOTE_PEER), local, took.toMillis());
        end(false, true);
        completion.complete(result);
    }

    private ContentHasher contentHasher() {
        if (hasher == null) {
            hasher = new ContentHasher(engine.store(), taskId, pieceLength, pieceCount, engine.workers());
        }
        return hasher;
    }

    private void endIdle() {
        synchronized (gate) {
            if (!events.isEmpty()) {
                return;
            }
            closed = true;
        }
        SessionReporter s = session;
        if (s != null) {
            if (stored.cardinality() == pieceCount) {
                s.finished();
            } else {
                s.failed("range download idle with " + stored.cardinality() + " of " + pieceCount + " pieces");
            }
        }
        LOG.info("range download ended task_id={} peer_id={} stored={} of {}", taskId, peerIdForLog(),
                stored.cardinality(), pieceCount);
        end(false, false);
        completion.completeExceptionally(new DownloadFailedException(taskId, "range-only download ended", null));
    }

    private void fail(Throwable t) {
        if (terminated) {
            return;
        }
        DownloadFailedException e = t instanceof DownloadFailedException d ? d
                : new DownloadFailedException(taskId, t.toString(), t);
        LOG.warn("download failed task_id={} peer_id={} url={}: {}", taskId, peerIdForLog(), request.url(),
                e.getMessage());
        SessionReporter s = session;
        if (s != null) {
            String why = e.getMessage();
            s.failed(why.length() > 1000 ? why.substring(0, 1000) : why);
        }
        end(true, full);
        pieceFutures.failAll(e);
        completion.completeExceptionally(e);
    }

    private void end(boolean failed, boolean recordDuration) {
        synchronized (gate) {
            closed = true;
        }
        terminated = true;
        swarm.closeAll();
        if (hasher != null) {
            hasher.close();
        }
        lease.close();
        engine.runEnded(this);
        engine.metrics().taskEnded(request, failed,
                recordDuration ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) : -1, contentLength);
    }

    // ------------------------------------------------------------------ workers

    /**
     * Fetches one piece from a parent on a worker. The parent host's slot ({@link ParentHostSlots}, shared by every
     * task of this node) is given back here, as the transfer ends, not by the event posted to the driver: a task that
     * ends meanwhile never runs that event, and the slot would stay taken for good.
     */
    private void fetchFromParent(int n, ParentSwarm.Parent parent, PieceAnnouncement a) {
        ParentHostSlots hosts = engine.parentHosts();
        long t0 = System.nanoTime();
        Instant created = Instant.now();
        try {
            engine.downloadBucket().acquire(a.length());
            PieceInfo info = engine.transfer().fetchInto(engine.store(), taskId, n, a.ip(), a.tcpPort(),
                    config.pieceTimeout());
            pieceStored(info, PieceSource.REMOTE_PEER, parent.peerId(), System.nanoTime() - t0, created);
            post(() -> {
                peerInFlight.clear(n);
                parent.inFlight--;
                stored.set(n);
                lastStoredNanos = System.nanoTime();
                parent.failures = 0;
            });
            hosts.served(parent.hostId());
        } catch (PieceTransferException e) {
            if (e.repeatDeflected()) {
                hosts.failed(parent.hostId()); // a repeat: the slot is free, no back-off
                post(() -> onRepeatDeflected(n, parent));
            } else if (e.parentBusy()) {
                long backoff = hosts.busy(parent.hostId());
                post(() -> onParentBusy(n, parent, backoff));
            } else {
                post(() -> onParentFailure(n, parent, e));
                hosts.failed(parent.hostId());
            }
        } catch (DigestMismatchException e) {
            post(() -> onCorrupt(n, parent, e));
            hosts.failed(parent.hostId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            post(() -> onParentFailure(n, parent, e));
            hosts.failed(parent.hostId());
        } catch (RuntimeException e) {
            post(() -> onParentFailure(n, parent, e));
            hosts.failed(parent.hostId());
        }
    }

    /**
     * Reads pieces {@code first} to {@code first + count - 1} from the origin with one Range GET, storing each as it
     * arrives. A failed GET is tried again for the pieces not stored yet, up to {@link EngineConfig#originRetries()}
     * times in a row without progress; then the task fails. Stops early, quietly, once the task has ended.
     */
    private void fetchFromOrigin(int first, int count) {
        int end = first + count;
        int next = first;
        int failures = 0;
        Exception last = null;
        while (next < end && failures <= config.originRetries()) {
            if (failures > 0) {
                try {
                    Thread.sleep(config.originRetryBackoff().toMillis() << Math.min(10, failures - 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    last = e;
                    break;
                }
            }
            int from = next;
            long t0 = System.nanoTime();
            long pieceStart = t0;
            Instant created = Instant.now();
            try (InputStream in = new RateLimitedInputStream(request.origin().openRange((long) from * pieceLength,
                    rangeLength(from, end)), engine.backToSourceBucket())) {
                while (next < end) {
                    if (completion.isDone()) {
                        int left = next;
                        post(() -> originInFlight.clear(left, end));
                        return;
                    }
                    int n = next;
                    PieceInfo info = engine.store().writePiece(taskId, n, in, null);
                    long now = System.nanoTime();
                    pieceStored(info, PieceSource.BACK_TO_SOURCE, null, now - pieceStart, created);
                    post(() -> {
                        originInFlight.clear(n);
                        originStored++;
                        fromOrigin.set(n);
                        stored.set(n);
                        lastStoredNanos = System.nanoTime();
                    });
                    next++;
                    pieceStart = now;
                    created = Instant.now();
                }
                engine.metrics().backendRequest(scheme, "GET", true, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                return;
            } catch (IOException | RuntimeException e) {
                engine.metrics().backendRequest(scheme, "GET", false,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                last = e;
                failures = next > from ? 1 : failures + 1; // a GET that stored pieces before it broke starts the count again
                if (completion.isDone()) {
                    break;
                }
                LOG.warn("origin read failed task_id={} pieces={}-{} origin={} attempt={}: {}", taskId, next, end - 1,
                        request.origin().describe(), failures, e.toString());
            }
        }
        Exception cause = last;
        int left = next;
        post(() -> {
            originInFlight.clear(left, end);
            if (left < end) {
                fail(new OriginUnavailableException(taskId, request.origin().describe(), left, cause));
            }
        });
    }

    /** Bytes of pieces {@code from} to {@code end - 1}. */
    private long rangeLength(int from, int end) {
        return Math.min((long) end * pieceLength, contentLength) - (long) from * pieceLength;
    }

    /** Bookkeeping of a stored piece, on the worker: traffic, report, upload notice, waiting readers. */
    private void pieceStored(PieceInfo info, PieceSource source, String parentPeerId, long costNanos, Instant created) {
        bytes.get(source).addAndGet(info.length());
        engine.metrics().traffic(source, info.length());
        SessionReporter s = session;
        if (s != null) {
            s.pieceStored(info, source, parentPeerId, costNanos, created);
        }
        try {
            engine.pieceListener().pieceStored(taskId, info.number());
        } catch (RuntimeException e) {
            LOG.warn("piece listener failed task_id={} piece={}: {}", taskId, info.number(), e.toString());
        }
        pieceFutures.complete(info.number());
        LOG.debug("piece stored task_id={} peer_id={} piece={} source={} parent_id={} bytes={} cost_ms={}", taskId,
                peerIdForLog(), info.number(), source, parentPeerId == null ? "-" : parentPeerId, info.length(),
                TimeUnit.NANOSECONDS.toMillis(costNanos));
    }

    private int lengthOf(int n) {
        long offset = (long) n * pieceLength;
        return (int) Math.min(pieceLength, contentLength - offset);
    }

    private String peerIdForLog() {
        SessionReporter s = session;
        return s == null ? "-" : s.peerId();
    }

    private static String schemeOf(String url) {
        try {
            String s = URI.create(url).getScheme();
            return s == null ? "unknown" : s;
        } catch (IllegalArgumentException e) {
            return "unknown";
        }
    }
}

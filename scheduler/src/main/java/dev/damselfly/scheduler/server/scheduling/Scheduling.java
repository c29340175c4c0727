package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.common.v2.Priority;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.EmptyTaskResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.MetadataOnlyResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.NeedBackToSourceResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.NormalTaskResponse;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerConfig.ParentGraph;
import dev.damselfly.scheduler.server.evaluator.BaseEvaluator;
import dev.damselfly.scheduler.server.evaluator.LoadQualityEvaluator;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskDag;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.resource.TaskState;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The scheduling rules: what a registering peer is told (empty task, metadata only, back to source, or
 * candidate parents), the retry loop (spec §3.7), seed triggering, and the bookkeeping of the peer's reports
 * (pieces, failures, reschedules, end states). The first attempt runs in the caller's thread under the task
 * lock, so concurrent registrations see each other's back-to-source decisions; retries run on a small
 * scheduled pool. Thread-safe.
 */
public final class Scheduling implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduling.class);

    /** Thundering-herd guard (spec §3.7): first delay for a host's concurrent registrations (30 ms). */
    public static final long HERD_DELAY_BASE_NANOS = 30_000_000L;
    /** A top-up may link this many times the candidate parent limit (2: 6 parents with Dragonfly's 3). */
    public static final int TOP_UP_PARENT_FACTOR = 2;
    /** Largest thundering-herd delay (1 s). */
    public static final long HERD_DELAY_MAX_NANOS = 1_000_000_000L;
    /**
     * How long a peer told to fetch a task from the origin waits before starting when its host already fetches
     * another task from the origin and some other live host fetches nothing from it (2 s): a peer of such a host,
     * registering meanwhile, takes the origin over, so that the registry's bytes spread over more download links
     * (an image's layers pulled by a whole cluster at once otherwise all come through the first node's link, whose
     * other origin fetches keep it busy while this one waits). A host alone, or with every other host fetching
     * from the origin already, does not wait. Measured: in a swarm of 8 fresh nodes pulling 4 layers, the other
     * nodes registered 0.5–1.6 s after the first (300 ms, the former window, let the first node fetch all four).
     */
    public static final long SOURCE_HANDOFF_WINDOW_NANOS = 2_000_000_000L;
    /**
     * Pieces of a task that nobody holds yet, at least, for a child to be told to stripe it (16: with 4 MiB pieces,
     * 64 MiB; fewer are over before a second reader would have read many of them).
     */
    public static final int STRIPE_MIN_REMAINING_PIECES = 16;

    private final SchedulerConfig config;
    private final ResourceStore store;
    private final SeedPeerTrigger seedTrigger;
    private final ParentSelector selector;
    private final ScheduledExecutorService retries;
    private final AtomicLong decisions = new AtomicLong();
    private final AtomicLong backToSourceDecisions = new AtomicLong();
    private final AtomicLong topUpDecisions = new AtomicLong();

    public Scheduling(SchedulerConfig config, ResourceStore store, SeedPeerTrigger seedTrigger) {
        this.config = config;
        this.store = store;
        this.seedTrigger = seedTrigger;
        this.selector = new ParentSelector(config.algorithm() == SchedulerConfig.Algorithm.LOAD_QUALITY
                ? new LoadQualityEvaluator() : new BaseEvaluator(), config.filterParentLimit(), config.candidateParentLimit(),
                config.parentGraph());
        AtomicInteger n = new AtomicInteger();
        this.retries = Executors.newScheduledThreadPool(config.schedulingThreads(), r -> {
            Thread t = new Thread(r, "scheduler-retry-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public ParentSelector selector() {
        return selector;
    }

    /** Scheduling answers sent so far (parents or back-to-source). */
    public long decisions() {
        return decisions.get();
    }

    /** Top-up answers (more parents for a running child) sent so far. */
    public long topUpDecisions() {
        return topUpDecisions.get();
    }

    /** Back-to-source answers sent so far. */
    public long backToSourceDecisions() {
        return backToSourceDecisions.get();
    }

    /** Handles a RegisterPeerRequest for a peer already added to the store. */
    public void register(PeerRecord peer, Download d, Responder responder) {
        TaskRecord task = peer.task();
        long now = System.nanoTime();
        AnnouncePeerResponse immediate = null;
        Status failure = null;
        HostRecord seedToTrigger = null;
        boolean handOffWindow = false; // this peer goes to the origin while its host already does for another task
        synchronized (task) {
            task.absorb(d, now);
            if (d.getMetadataOnly()) {
                for (int i = 0; i < task.pieceCount(); i++) {
                    peer.finishPiece(i, 0, 0, now);
                }
                peer.setState(PeerState.SUCCEEDED, now);
                immediate = AnnouncePeerResponse.newBuilder()
                        .setMetadataOnlyResponse(MetadataOnlyResponse.getDefaultInstance()).build();
            } else if (task.contentLength() == 0) {
                peer.setState(PeerState.RECEIVED_EMPTY, now);
                immediate = AnnouncePeerResponse.newBuilder()
                        .setEmptyTaskResponse(EmptyTaskResponse.getDefaultInstance()).build();
            } else {
                peer.setState(PeerState.RECEIVED_NORMAL, now);
                if (d.getNeedBackToSource()) {
                    peer.flagBackToSource();
                } else if (!task.hasAvailablePeer(peer.host().id()) && task.hasSourcePending(peer.host().id())) {
                    // a peer already headed for the origin counts as available: this one waits for it as a parent
                    // (retry loop below) rather than fetching the same bytes from the origin at the same time; but
                    // when that peer's host already fetches other tasks from the origin and this host none, this one
                    // takes the origin over (one origin fetch still, on a download link that has room)
                    PeerRecord pending = task.pendingSource(peer.host().id());
                    if (!peer.host().isSeed() && originFetches(pending.host(), pending) > 0
                            && originFetches(peer.host(), peer) == 0 && pending.unflagBackToSource()) {
                        peer.flagBackToSource();
                        LOG.info("origin handed over task_id={} from_peer_id={} to_peer_id={} host_id={}", task.id(),
                                pending.id(), peer.id(), peer.host().id());
                    }
                } else if (!task.hasAvailablePeer(peer.host().id())) {
                    HostRecord seed = peer.host().isSeed() ? null : chooseSeed(task.id(), peer.host().id());
                    if (seed == null) {
                        peer.flagBackToSource();
                    } else {
                        Priority pr = d.getPriority();
                        if (pr == Priority.LEVEL1) {
                            failure = Status.FAILED_PRECONDITION.withDescription("priority LEVEL1 forbids downloading task "
                                    + task.id());
                        } else if (pr == Priority.LEVEL2) {
                            failure = Status.NOT_FOUND.withDescription("task " + task.id()
                                    + " has no peer and priority LEVEL2 forbids the origin");
                        } else if (pr == Priority.LEVEL3 || (task.seedFailedAtNanos() != Long.MIN_VALUE
                                && now - task.seedFailedAtNanos() < config.seedFailureBackoff().toNanos())) {
                            peer.flagBackToSource();
                        } else if (task.seedTriggeredAtNanos() == Long.MIN_VALUE
                                || now - task.seedTriggeredAtNanos() > config.retryInterval().toNanos() * config.retryLimit()) {
                            task.markSeedTriggered(now);
                            seedToTrigger = seed;
                        }
                    }
                }
                handOffWindow = peer.backToSourceFlag() && !peer.needBackToSource()
                        && originFetches(peer.host(), peer) > 0 && hasHostWithoutOriginFetches(peer.host(), now);
            }
        }
        LOG.info("peer registered task_id={} peer_id={} host_id={} content_length={} decision={}", task.id(), peer.id(),
                peer.host().id(), task.contentLength(),
                failure != null ? failure.getCode() : immediate != null ? immediate.getResponseCase() : "schedule");
        if (failure != null) {
            responder.fail(failure);
            return;
        }
        if (immediate != null) {
            responder.respond(immediate);
            return;
        }
        if (seedToTrigger != null) {
            Download seedDownload = d.toBuilder().setNeedBackToSource(true).clearOutputPath().build();
            seedTrigger.trigger(seedToTrigger, task.id(), seedDownload, () -> {
                synchronized (task) {
                    task.markSeedFailed(System.nanoTime());
                }
            });
        }
        int epoch;
        synchronized (task) {
            epoch = peer.nextScheduleEpoch();
        }
        if (peer.host().isSeed()) {
            attempt(peer, responder, 0, epoch);
            return;
        }
        long delay = herdDelayNanos(peer.host().beginRegistration());
        if (handOffWindow) {
            delay = Math.max(delay, SOURCE_HANDOFF_WINDOW_NANOS);
        }
        Runnable first = () -> {
            try {
                attempt(peer, responder, 0, epoch);
            } finally {
                peer.host().endRegistration();
            }
        };
        if (delay == 0) {
            first.run();
        } else {
            LOG.debug("herd delay task_id={} peer_id={} host_id={} delay_ms={}", task.id(), peer.id(), peer.host().id(),
                    delay / 1_000_000);
            retries.schedule(first, delay, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Delay before the first attempt of a normal host's registration when {@code concurrent} registrations of
     * that host are in flight: none for the first, then 30 ms doubling per extra registration, capped at 1 s,
     * with jitter (uniform in [d/2, d]).
     */
    public static long herdDelayNanos(int concurrent) {
        if (concurrent <= 1) {
            return 0;
        }
        long d = HERD_DELAY_BASE_NANOS << Math.min(concurrent - 2, 10);
        d = Math.min(d, HERD_DELAY_MAX_NANOS);
        return d / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(d / 2 + 1);
    }

    /**
     * Handles a ReschedulePeerRequest: blocks the given parents and schedules again. A request that names no failed
     * parent is a <em>top-up</em> (a child that wants more parents than the ones it got, typically because it
     * registered when only the source had pieces): see {@link #topUp}.
     */
    public void reschedule(PeerRecord peer, List<String> failedParentIds, Responder responder) {
        if (failedParentIds.isEmpty()) {
            topUp(peer, responder);
            return;
        }
        int epoch;
        synchronized (peer.task()) {
            peer.blockParents().addAll(failedParentIds);
            epoch = peer.nextScheduleEpoch();
        }
        LOG.info("reschedule task_id={} peer_id={} blocked={}", peer.task().id(), peer.id(), failedParentIds);
        attempt(peer, responder, 0, epoch);
    }

    /**
     * A top-up: selects parents again (peers that gained pieces since the child registered now qualify) and keeps the
     * child's current parents as well, answering at once with the new choice plus the current parents. Never a retry
     * loop: the child's current parents are still good, it only asks for more. (Not in Dragonfly, whose children
     * reschedule only after failures; a swarm that starts at once otherwise hangs every child on the one source.)
     * Three other answers:
     * <ul>
     *   <li>a peer reading its task from the origin gets the peers holding pieces it lacks (another reader's), so
     *       that it takes those from them instead of from the origin;</li>
     *   <li>back-to-source when the task has lost its source ({@link #sourceLost}): the child fetches from the origin
     *       the pieces that no parent has;</li>
     *   <li>back-to-source when the child stripes the task ({@link #stripeWanted}): it keeps its parents and reads
     *       the pieces nobody has from the origin too, from the end farthest from its parents' pieces.</li>
     * </ul>
     */
    private void topUp(PeerRecord peer, Responder responder) {
        TaskRecord task = peer.task();
        List<PeerRecord> answer = new ArrayList<>();
        AnnouncePeerResponse toSource = null;
        String sourceReason = null;
        boolean newParent = false;
        synchronized (task) {
            peer.nextScheduleEpoch(); // supersedes any pending retry of an earlier attempt
            boolean live = !peer.state().done() && store.peer(peer.id()) == peer;
            boolean reader = peer.state() == PeerState.BACK_TO_SOURCE;
            long now = System.nanoTime();
            if (live && !reader && task.canBackToSource(config.backToSourceCount()) && sourceLost(peer)) {
                sourceReason = "source lost";
                toSource = sendToSource(peer, now, "no live peer has or fetches the missing pieces");
            } else if (live && !reader && task.canBackToSource(config.backToSourceCount()) && stripeWanted(peer)) {
                sourceReason = "striped";
                toSource = stripe(peer, now);
            } else if (live) {
                List<PeerRecord> before = new ArrayList<>(peer.parents());
                int limit = TOP_UP_PARENT_FACTOR * selector.candidateParentLimit();
                answer.addAll(reader ? selector.selectHolders(peer, limit) : selector.select(peer, limit));
                newParent = !before.containsAll(answer);
                for (PeerRecord p : before) {
                    boolean alive = store.peer(p.id()) == p && p.state() != PeerState.FAILED && p.state() != PeerState.LEAVE;
                    if (alive && !answer.contains(p) && selector.link(p, peer)) {
                        answer.add(p);
                    }
                }
            }
        }
        decisions.incrementAndGet();
        if (toSource != null) {
            LOG.info("decision back-to-source task_id={} peer_id={} reason={}", task.id(), peer.id(), sourceReason);
            responder.respond(toSource);
            return;
        }
        NormalTaskResponse.Builder b = NormalTaskResponse.newBuilder();
        for (PeerRecord p : answer) {
            b.addCandidateParents(Views.peer(p));
        }
        topUpDecisions.incrementAndGet();
        // one INFO line per top-up that adds a parent; the periodic ones that add none at DEBUG
        LOG.atLevel(newParent ? Level.INFO : Level.DEBUG).log("decision top-up task_id={} peer_id={} parents={}",
                task.id(), peer.id(), answer.stream().map(PeerRecord::id).toList());
        responder.respond(AnnouncePeerResponse.newBuilder().setNormalTaskResponse(b).build());
    }

    /**
     * Whether {@code peer}, a child of a task that some peer reads from the origin, should read it from the origin as
     * well (caller holds the task lock): every current reader's host fetches more tasks from the origin than the
     * child's host (so its download link is the narrower one: a rolling update's first node reads every layer of an
     * image), fewer than {@link SchedulerConfig#sourceStripes()} peers read the task, and at least
     * {@value #STRIPE_MIN_REMAINING_PIECES} of its pieces are still held by nobody. Off unless the task's peers form a
     * {@link ParentGraph#MESH}: the readers must be able to serve each other the pieces each read.
     */
    private boolean stripeWanted(PeerRecord peer) {
        TaskRecord task = peer.task();
        PeerState state = peer.state();
        long count = task.pieceCount();
        if (config.sourceStripes() < 2 || config.parentGraph() != ParentGraph.MESH || peer.host().isSeed() || count <= 0
                || (state != PeerState.RECEIVED_NORMAL && state != PeerState.RUNNING)) {
            return false;
        }
        int own = originFetches(peer.host(), peer);
        int readers = 0;
        BitSet held = new BitSet();
        for (PeerRecord p : task.peersView()) {
            PeerState s = p.state();
            if (p == peer || store.peer(p.id()) != p || s == PeerState.FAILED || s == PeerState.LEAVE) {
                continue;
            }
            held.or(p.finishedPieces());
            if (s == PeerState.BACK_TO_SOURCE || (s == PeerState.RECEIVED_NORMAL && p.backToSourceFlag())) {
                if (p.host().isSeed() || originFetches(p.host(), p) <= own) {
                    return false;
                }
                readers++;
            }
        }
        return readers >= 1 && readers < config.sourceStripes() && count - held.cardinality() >= STRIPE_MIN_REMAINING_PIECES;
    }

    /** Makes {@code peer} a reader of its task besides the current ones (caller holds the task lock); keeps its parents. */
    private AnnouncePeerResponse stripe(PeerRecord peer, long now) {
        TaskRecord task = peer.task();
        task.backToSourcePeers().add(peer.id());
        peer.setState(PeerState.BACK_TO_SOURCE, now);
        backToSourceDecisions.incrementAndGet();
        LOG.info("origin striped task_id={} peer_id={} host_id={} readers={}", task.id(), peer.id(), peer.host().id(),
                task.backToSourcePeers().size());
        return AnnouncePeerResponse.newBuilder().setNeedBackToSourceResponse(NeedBackToSourceResponse.newBuilder()
                .setDescription("striped: read the pieces no peer has from the origin, from the far end")).build();
    }

    /**
     * Whether no live peer of {@code peer}'s task can ever give it the pieces it lacks (caller holds the task lock):
     * no other peer fetches from the origin or is about to, and the pieces the live peers have finished do not cover
     * the task. That happens when the one peer fetching from the origin dies: in a mesh the others stay each other's
     * parents and would wait on each other forever. False while the piece count is unknown or a seed peer, triggered
     * for the task, may still register.
     */
    private boolean sourceLost(PeerRecord peer) {
        TaskRecord task = peer.task();
        long count = task.pieceCount();
        long now = System.nanoTime();
        boolean seedComing = task.seedTriggeredAtNanos() != Long.MIN_VALUE
                && now - task.seedTriggeredAtNanos() <= config.retryInterval().toNanos() * config.retryLimit()
                && (task.seedFailedAtNanos() == Long.MIN_VALUE
                        || task.seedFailedAtNanos() - task.seedTriggeredAtNanos() < 0);
        if (count <= 0 || seedComing) {
            return false;
        }
        BitSet covered = (BitSet) peer.finishedPieces().clone();
        for (PeerRecord p : task.peersView()) {
            PeerState s = p.state();
            if (p == peer || store.peer(p.id()) != p || s == PeerState.FAILED || s == PeerState.LEAVE) {
                continue;
            }
            if (s == PeerState.BACK_TO_SOURCE || s == PeerState.SUCCEEDED
                    || (s == PeerState.RECEIVED_NORMAL && p.backToSourceFlag())) {
                return false;
            }
            covered.or(p.finishedPieces());
        }
        return covered.nextClearBit(0) < count;
    }

    /** Turns {@code peer} into a back-to-source peer (caller holds the task lock) and builds the answer telling it. */
    private AnnouncePeerResponse sendToSource(PeerRecord peer, long now, String description) {
        TaskRecord task = peer.task();
        task.backToSourcePeers().add(peer.id());
        TaskDag.removeInEdges(peer);
        peer.setState(PeerState.BACK_TO_SOURCE, now);
        if (task.state() != TaskState.SUCCEEDED) {
            task.setState(TaskState.RUNNING);
        }
        backToSourceDecisions.incrementAndGet();
        return AnnouncePeerResponse.newBuilder().setNeedBackToSourceResponse(NeedBackToSourceResponse.newBuilder()
                .setDescription(description)).build();
    }

    /**
     * Peers of {@code host} other than {@code except} that fetch (or are about to fetch) their task from the origin.
     * Reads peers of other tasks without their locks: an estimate, good enough to spread origin fetches.
     */
    private int originFetches(HostRecord host, PeerRecord except) {
        int n = 0;
        for (String id : host.peerIds()) {
            PeerRecord p = store.peer(id);
            if (p == null || p == except) {
                continue;
            }
            PeerState s = p.state();
            if (s == PeerState.BACK_TO_SOURCE || (s == PeerState.RECEIVED_NORMAL && p.backToSourceFlag())) {
                n++;
            }
        }
        return n;
    }

    /** Whether a live normal host other than {@code except} fetches nothing from the origin (it could take one over). */
    private boolean hasHostWithoutOriginFetches(HostRecord except, long now) {
        for (HostRecord h : store.hosts()) {
            if (h != except && !h.isSeed() && now - h.announcedAtNanos() < config.hostTtl().toNanos()
                    && originFetches(h, null) == 0) {
                return true;
            }
        }
        return false;
    }

    private HostRecord chooseSeed(String taskId, String excludeHostId) {
        long now = System.nanoTime();
        List<HostRecord> seeds = new ArrayList<>();
        for (HostRecord h : store.hosts()) {
            if (h.isSeed() && !h.id().equals(excludeHostId) && now - h.announcedAtNanos() < config.hostTtl().toNanos()) {
                seeds.add(h);
            }
        }
        return SeedRing.choose(seeds, taskId).orElse(null);
    }

    private void attempt(PeerRecord peer, Responder responder, int n, int epoch) {
        TaskRecord task = peer.task();
        AnnouncePeerResponse response = null;
        Status failure = null;
        List<PeerRecord> parents = List.of();
        boolean sourcePending = false;
        synchronized (task) {
            if (peer.scheduleEpoch() != epoch || peer.state().done() || store.peer(peer.id()) != peer) {
                return;
            }
            long now = System.nanoTime();
            if (task.canBackToSource(config.backToSourceCount())
                    && (peer.backToSourceFlag() || n >= config.retryBackToSourceLimit())) {
                response = sendToSource(peer, now, n >= config.retryBackToSourceLimit()
                        ? "no parent after " + n + " attempts" : "task needs the origin");
            } else if (n >= config.retryLimit()) {
                failure = Status.FAILED_PRECONDITION.withDescription("no candidate parent for peer " + peer.id()
                        + " of task " + task.id() + " after " + n + " attempts");
            } else {
                parents = selector.select(peer);
                // a peer of another host is about to fetch the task from the origin (in its hand-off window): wait
                // for it without using up attempts, or this one would go to the origin too when the window is long
                sourcePending = parents.isEmpty() && task.hasSourcePending(peer.host().id());
                if (!parents.isEmpty()) {
                    NormalTaskResponse.Builder b = NormalTaskResponse.newBuilder();
                    for (PeerRecord p : parents) {
                        b.addCandidateParents(Views.peer(p));
                    }
                    response = AnnouncePeerResponse.newBuilder().setNormalTaskResponse(b).build();
                }
            }
        }
        if (response != null) {
            decisions.incrementAndGet();
            if (response.hasNeedBackToSourceResponse()) {
                LOG.info("decision back-to-source task_id={} peer_id={} attempt={}", task.id(), peer.id(), n);
            } else {
                LOG.info("decision parents task_id={} peer_id={} attempt={} parents={}", task.id(), peer.id(), n,
                        parents.stream().map(PeerRecord::id).toList());
            }
            responder.respond(response);
        } else if (failure != null) {
            LOG.warn("schedule failed task_id={} peer_id={} status={}", task.id(), peer.id(), failure.getDescription());
            responder.fail(failure);
        } else {
            int next = sourcePending ? n : n + 1;
            retries.schedule(() -> attempt(peer, responder, next, epoch), config.retryInterval().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** One scheduling decision without a stream (benchmarks): selects and links parents for the peer. */
    public List<PeerRecord> selectParents(PeerRecord peer) {
        synchronized (peer.task()) {
            List<PeerRecord> r = selector.select(peer);
            decisions.incrementAndGet();
            return r;
        }
    }

    // ---- reports ---------------------------------------------------------------------------------

    public void started(PeerRecord peer, boolean backToSource) {
        synchronized (peer.task()) {
            long now = System.nanoTime();
            if (backToSource) {
                peer.task().backToSourcePeers().add(peer.id());
                peer.setState(PeerState.BACK_TO_SOURCE, now);
            } else if (peer.state() == PeerState.RECEIVED_NORMAL || peer.state() == PeerState.RECEIVED_EMPTY) {
                peer.setState(PeerState.RUNNING, now);
            }
        }
    }

    public void pieceFinished(PeerRecord peer, Piece piece) {
        TaskRecord task = peer.task();
        PeerRecord parent = piece.hasParentId() ? store.peer(piece.getParentId()) : null;
        synchronized (task) {
            long cost = piece.getCost().getSeconds() * 1_000_000_000L + piece.getCost().getNanos();
            peer.finishPiece(piece.getNumber(), piece.getLength(), cost, System.nanoTime());
            if (peer.state() == PeerState.RECEIVED_NORMAL) {
                peer.setState(PeerState.RUNNING, System.nanoTime());
            }
            task.touch(System.nanoTime());
        }
        if (parent != null) {
            parent.host().recordUpload(true);
        }
    }

    public void pieceFailed(PeerRecord peer, String parentId, boolean temporary) {
        if (!temporary) {
            LOG.warn("piece failed (permanent) task_id={} peer_id={} parent_id={}", peer.task().id(), peer.id(), parentId);
            return;
        }
        PeerRecord parent = store.peer(parentId);
        synchronized (peer.task()) {
            peer.blockParents().add(parentId);
            peer.touch(System.nanoTime());
        }
        if (parent != null) {
            parent.host().recordUpload(false);
        }
        LOG.info("parent blocked task_id={} peer_id={} parent_id={}", peer.task().id(), peer.id(), parentId);
    }

    public void finished(PeerRecord peer, boolean backToSource) {
        TaskRecord task = peer.task();
        synchronized (task) {
            long now = System.nanoTime();
            peer.setState(PeerState.SUCCEEDED, now);
            TaskDag.removeInEdges(peer);
            if (backToSource) {
                task.setState(TaskState.SUCCEEDED);
                if (task.contentLength() < 0) {
                    task.setContentLength(peer.finishedBytes());
                }
                if (task.pieceCount() == 0) {
                    task.setPieceCount(peer.finishedPieceCount());
                }
            }
            task.touch(now);
        }
        LOG.info("peer succeeded task_id={} peer_id={} host_id={} back_to_source={}", task.id(), peer.id(),
                peer.host().id(), backToSource);
    }

    public void failed(PeerRecord peer, boolean backToSource, String description) {
        TaskRecord task = peer.task();
        synchronized (task) {
            long now = System.nanoTime();
            peer.setState(PeerState.FAILED, now);
            TaskDag.removeInEdges(peer);
            task.backToSourcePeers().remove(peer.id());
            if (backToSource) {
                task.setState(TaskState.FAILED);
                task.setContentLength(-1);
            }
        }
        LOG.info("peer failed task_id={} peer_id={} host_id={} back_to_source={} reason={}", task.id(), peer.id(),
                peer.host().id(), backToSource, description);
    }

    /** The peer's stream ended without a final report: it leaves the graph. */
    public void left(PeerRecord peer) {
        TaskRecord task = peer.task();
        synchronized (task) {
            if (peer.state() == PeerState.SUCCEEDED || peer.state() == PeerState.FAILED) {
                return;
            }
            peer.setState(PeerState.LEAVE, System.nanoTime());
            peer.nextScheduleEpoch();
            TaskDag.removeAllEdges(peer);
            task.backToSourcePeers().remove(peer.id());
        }
        LOG.info("peer left task_id={} peer_id={} host_id={}", task.id(), peer.id(), peer.host().id());
    }

    @Override
    public void close() {
        retries.shutdownNow();
        seedTrigger.close();
    }
}

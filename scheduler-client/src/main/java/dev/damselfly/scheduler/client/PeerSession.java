package dev.damselfly.scheduler.client;

import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.errordetails.v2.Backend;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerBackToSourceFailedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerBackToSourceFinishedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerBackToSourceStartedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerFailedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerFinishedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPeerStartedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceBackToSourceFailedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceBackToSourceFinishedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceFailedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DownloadPieceFinishedRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.RegisterPeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.ReschedulePeerRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One download's AnnouncePeer stream (spec §1.12), driven as a state machine:
 *
 * <pre>
 * NEW --register--&gt; AWAITING_DECISION --Parents--&gt; P2P --reschedule--&gt; P2P ...
 *                                      --BackToSource--&gt; BACK_TO_SOURCE
 *                                      --EmptyTask/MetadataOnly--&gt; FINISHED
 * P2P / BACK_TO_SOURCE --finished--&gt; FINISHED, --failed--&gt; FAILED
 * any --scheduler lost after retries or max schedule count--&gt; DETACHED (origin fallback, reports dropped)
 * </pre>
 *
 * <p>The session sends DownloadPeerStarted / DownloadPeerBackToSourceStarted itself when a decision
 * arrives. When the stream breaks (scheduler restart, network) it re-opens it with exponential backoff,
 * registers again with the same peer id, and replays every piece it has reported so the new scheduler
 * knows what this peer can serve; a decision received after a reconnect is queued for
 * {@link #pollDecision}. Methods are thread-safe; decision waits block the caller.
 */
public final class PeerSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

    /** Session states. */
    public enum State {
        NEW, AWAITING_DECISION, P2P, BACK_TO_SOURCE, FINISHED, FAILED, DETACHED;

        boolean terminal() {
            return this == FINISHED || this == FAILED || this == DETACHED;
        }
    }

    private final SchedulerClient client;
    private final String taskId;
    private final String peerId;
    private final String hostId;
    private final Download download;
    private final LinkedBlockingQueue<Object> decisions = new LinkedBlockingQueue<>();
    private final List<AnnouncePeerRequest> reported = new ArrayList<>();

    private State state = State.NEW;
    private StreamObserver<AnnouncePeerRequest> requests;
    private String address;
    private int generation;
    private int scheduleCount;
    /** Answers still due to {@link #refreshParents} requests: they do not count toward maxScheduleCount. */
    private int uncountedAnswers;
    private int reconnectAttempts;
    private boolean reconnecting;
    private AnnouncePeerRequest pendingTerminal;

    PeerSession(SchedulerClient client, String taskId, String peerId, Download download) {
        this.client = client;
        this.taskId = taskId;
        this.peerId = peerId;
        this.hostId = client.hostId();
        this.download = download;
        MessageValidator.validate(download);
    }

    public String taskId() {
        return taskId;
    }

    public String peerId() {
        return peerId;
    }

    public synchronized State state() {
        return state;
    }

    /** The scheduler address this session talks to now (null before register). */
    public synchronized String address() {
        return address;
    }

    /**
     * Opens the stream, sends RegisterPeerRequest and waits for the first decision.
     *
     * @throws ScheduleTimeoutException when nothing arrives within the schedule timeout
     * @throws SchedulerUnavailableException when no scheduler answers and the download may not fall back
     */
    public ScheduleDecision register() {
        synchronized (this) {
            requireState("register", State.NEW);
            state = State.AWAITING_DECISION;
            decisions.clear();
            openStream(client.addressFor(taskId));
            LOG.info("register peer scheduler={} task_id={} peer_id={} host_id={}", address, taskId, peerId, hostId);
        }
        return nextDecision(client.config().scheduleTimeout());
    }

    /** Reports a piece downloaded from a parent (traffic REMOTE_PEER, parent_id set by the caller). */
    public void pieceFinished(Piece piece) {
        report("report a piece", envelope().setDownloadPieceFinishedRequest(
                DownloadPieceFinishedRequest.newBuilder().setPiece(piece)).build());
    }

    /** Reports a piece downloaded from the origin (traffic BACK_TO_SOURCE). */
    public void pieceBackToSourceFinished(Piece piece) {
        report("report a back-to-source piece", envelope().setDownloadPieceBackToSourceFinishedRequest(
                DownloadPieceBackToSourceFinishedRequest.newBuilder().setPiece(piece)).build());
    }

    /**
     * Reports a piece that failed from a parent (a peer reading from the origin may have parents too). With
     * {@code temporary} the scheduler blocks that parent for this peer and counts an upload failure against its host.
     */
    public synchronized void pieceFailed(int pieceNumber, String parentId, boolean temporary) {
        if (state == State.DETACHED) {
            return;
        }
        requireState("report a failed piece", State.P2P, State.BACK_TO_SOURCE); // a reader has parents too
        send(envelope().setDownloadPieceFailedRequest(DownloadPieceFailedRequest.newBuilder()
                .setPieceNumber(pieceNumber).setParentId(parentId).setTemporary(temporary)).build());
        LOG.info("piece failed task_id={} peer_id={} piece={} parent_id={} temporary={}", taskId, peerId,
                pieceNumber, parentId, temporary);
    }

    /** Reports a piece the origin failed to deliver, with the origin's error. */
    public synchronized void pieceBackToSourceFailed(int pieceNumber, Backend backendError) {
        if (state == State.DETACHED) {
            return;
        }
        requireState("report a failed back-to-source piece", State.BACK_TO_SOURCE);
        send(envelope().setDownloadPieceBackToSourceFailedRequest(DownloadPieceBackToSourceFailedRequest.newBuilder()
                .setPieceNumber(pieceNumber).setBackend(backendError)).build());
    }

    /**
     * Asks for new parents after {@code failedParents} failed or were too slow (the scheduler blocks them all
     * for this peer) and waits for the answer.
     */
    public ScheduleDecision reschedule(List<Peer> failedParents, String description) {
        return sendReschedule(failedParents, description, true);
    }

    /**
     * Asks the scheduler for more parents while keeping the current ones: a ReschedulePeerRequest naming no failed
     * parent. Damselfly's scheduler answers it with the current parents plus any new ones; with back-to-source when the
     * task lost its source or this peer is to stripe it; and, to a peer reading from the origin (allowed here too),
     * with the peers holding pieces it lacks, which leaves the session reading from the origin. Its answer does not
     * count toward {@code maxScheduleCount}, which guards against failure loops.
     */
    public ScheduleDecision refreshParents(String description) {
        return sendReschedule(List.of(), description, false);
    }

    private ScheduleDecision sendReschedule(List<Peer> failedParents, String description, boolean counted) {
        synchronized (this) {
            if (state == State.DETACHED) {
                return new ScheduleDecision.BackToSource("session detached from the scheduler", false);
            }
            if (counted) {
                requireState("reschedule", State.P2P);
            } else {
                requireState("refresh parents", State.P2P, State.BACK_TO_SOURCE);
            }
            decisions.clear();
            if (!counted) {
                uncountedAnswers++;
            }
            ReschedulePeerRequest.Builder r = ReschedulePeerRequest.newBuilder().addAllCandidateParents(failedParents);
            if (description != null && !description.isEmpty()) {
                r.setDescription(description);
            }
            send(envelope().setReschedulePeerRequest(r).build());
            if (counted) {
                LOG.info("reschedule peer task_id={} peer_id={} failed_parents={} why={}", taskId, peerId,
                        failedParents.stream().map(Peer::getId).toList(), description);
            } else { // a periodic top-up: the download logs the parents it adds
                LOG.debug("refresh parents task_id={} peer_id={} why={}", taskId, peerId, description);
            }
        }
        return nextDecision(client.config().scheduleTimeout());
    }

    /** A decision that arrived without being asked for (after a reconnect), if any within the wait. */
    public Optional<ScheduleDecision> pollDecision(Duration wait) {
        try {
            Object o = decisions.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (o instanceof RuntimeException e) {
                throw e;
            }
            return Optional.ofNullable((ScheduleDecision) o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Reports the whole download done and ends the stream (no-op when detached). */
    public synchronized void finished() {
        if (state == State.DETACHED) {
            return;
        }
        requireState("finish", State.P2P, State.BACK_TO_SOURCE);
        AnnouncePeerRequest msg = state == State.BACK_TO_SOURCE
                ? envelope().setDownloadPeerBackToSourceFinishedRequest(legacyBackToSourceFinished()).build()
                : envelope().setDownloadPeerFinishedRequest(DownloadPeerFinishedRequest.getDefaultInstance()).build();
        state = State.FINISHED;
        terminate(msg);
        LOG.info("peer finished task_id={} peer_id={} pieces={}", taskId, peerId, reported.size());
    }

    /**
     * DownloadPeerBackToSourceFinishedRequest carrying, as unknown fields, the numbers reserved since api v2.1.74:
     * 1 = content_length (uint64), 2 = piece_count (uint32). Schedulers ≤ v2.3.x take the task's length from them
     * (spec §1.3, §1.11); newer ones skip unknown fields.
     */
    private DownloadPeerBackToSourceFinishedRequest legacyBackToSourceFinished() {
        java.util.BitSet numbers = new java.util.BitSet();
        long bytes = 0;
        for (AnnouncePeerRequest m : reported) {
            Piece p = m.hasDownloadPieceBackToSourceFinishedRequest() ? m.getDownloadPieceBackToSourceFinishedRequest().getPiece()
                    : m.getDownloadPieceFinishedRequest().getPiece();
            if (p.getNumber() >= 0 && !numbers.get(p.getNumber())) {
                numbers.set(p.getNumber());
                bytes += p.getLength();
            }
        }
        long contentLength = download.hasActualContentLength() ? download.getActualContentLength() : bytes;
        long pieceCount = download.hasActualPieceCount() ? download.getActualPieceCount() : numbers.cardinality();
        return DownloadPeerBackToSourceFinishedRequest.newBuilder().setUnknownFields(
                com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(1, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(contentLength).build())
                        .addField(2, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(pieceCount).build())
                        .build())
                .build();
    }

    /** Reports the download failed and ends the stream. No-op when already terminal. */
    public synchronized void failed(String description) {
        if (state.terminal() || state == State.NEW) {
            state = state == State.NEW ? State.FAILED : state;
            return;
        }
        String d = description == null || description.isEmpty() ? "download failed" : description;
        AnnouncePeerRequest msg = state == State.BACK_TO_SOURCE
                ? envelope().setDownloadPeerBackToSourceFailedRequest(
                        DownloadPeerBackToSourceFailedRequest.newBuilder().setDescription(d)).build()
                : envelope().setDownloadPeerFailedRequest(DownloadPeerFailedRequest.newBuilder().setDescription(d)).build();
        state = State.FAILED;
        terminate(msg);
        LOG.info("peer failed task_id={} peer_id={} reason={}", taskId, peerId, d);
    }

    /** Fails the session if it is still running. */
    @Override
    public void close() {
        failed("session closed");
    }

    // ---- internals ---------------------------------------------------------------------------------

    private synchronized void report(String action, AnnouncePeerRequest msg) {
        requireState(action, State.P2P, State.BACK_TO_SOURCE, State.DETACHED);
        if (state == State.DETACHED) {
            return;
        }
        reported.add(msg);
        send(msg);
    }

    private void terminate(AnnouncePeerRequest msg) {
        if (reconnecting) {
            pendingTerminal = msg;
            return;
        }
        send(msg);
        completeStream();
    }

    private AnnouncePeerRequest.Builder envelope() {
        return AnnouncePeerRequest.newBuilder().setHostId(hostId).setTaskId(taskId).setPeerId(peerId);
    }

    private void requireState(String action, State... allowed) {
        for (State s : allowed) {
            if (state == s) {
                return;
            }
        }
        throw new IllegalSessionStateException(taskId, peerId, state, action);
    }

    private void openStream(String target) {
        generation++;
        final int gen = generation;
        address = target;
        requests = client.asyncStub(address).announcePeer(new StreamObserver<>() {
            @Override
            public void onNext(AnnouncePeerResponse value) {
                onResponse(gen, value);
            }

            @Override
            public void onError(Throwable t) {
                onStreamError(gen, Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                onStreamError(gen, Status.UNAVAILABLE.withDescription("stream closed by the scheduler"));
            }
        });
        send(envelope().setRegisterPeerRequest(RegisterPeerRequest.newBuilder().setDownload(download)).build());
    }

    private void send(AnnouncePeerRequest msg) {
        MessageValidator.validate(msg);
        if (reconnecting && !msg.hasRegisterPeerRequest()) {
            return;
        }
        try {
            requests.onNext(msg);
        } catch (RuntimeException e) {
            LOG.debug("send failed task_id={} peer_id={}: {}", taskId, peerId, e.toString());
        }
    }

    private void completeStream() {
        try {
            requests.onCompleted();
        } catch (RuntimeException e) {
            LOG.debug("complete failed task_id={} peer_id={}: {}", taskId, peerId, e.toString());
        }
    }

    private synchronized void onResponse(int gen, AnnouncePeerResponse r) {
        if (gen != generation || state.terminal() && pendingTerminal == null) {
            return;
        }
        boolean replay = reconnecting;
        reconnecting = false;
        reconnectAttempts = 0;
        boolean refreshAnswer = uncountedAnswers > 0;
        if (refreshAnswer) {
            uncountedAnswers--;
        } else {
            scheduleCount++;
        }
        if (scheduleCount > client.config().maxScheduleCount() && pendingTerminal == null) {
            send(envelope().setDownloadPeerFailedRequest(
                    DownloadPeerFailedRequest.newBuilder().setDescription("max schedule count exceeded")).build());
            completeStream();
            state = State.DETACHED;
            LOG.warn("max schedule count exceeded task_id={} peer_id={} count={}", taskId, peerId, scheduleCount - 1);
            decisions.add(new ScheduleDecision.BackToSource("max schedule count exceeded", false));
            return;
        }
        switch (r.getResponseCase()) {
            case EMPTY_TASK_RESPONSE, METADATA_ONLY_RESPONSE -> {
                send(envelope().setDownloadPeerStartedRequest(DownloadPeerStartedRequest.getDefaultInstance()).build());
                send(envelope().setDownloadPeerFinishedRequest(DownloadPeerFinishedRequest.getDefaultInstance()).build());
                completeStream();
                state = State.FINISHED;
                LOG.info("decision {} task_id={} peer_id={}", r.getResponseCase(), taskId, peerId);
                decisions.add(r.hasEmptyTaskResponse() ? new ScheduleDecision.EmptyTask()
                        : new ScheduleDecision.MetadataOnly());
            }
            case NORMAL_TASK_RESPONSE -> {
                // parents for a peer reading from the origin (a top-up's answer): it stays a back-to-source peer
                boolean readerParents = state == State.BACK_TO_SOURCE && !replay;
                if ((state != State.P2P || replay) && !readerParents) {
                    send(envelope().setDownloadPeerStartedRequest(DownloadPeerStartedRequest.getDefaultInstance()).build());
                }
                if (!state.terminal() && !readerParents) {
                    state = State.P2P;
                }
                List<Peer> parents = r.getNormalTaskResponse().getCandidateParentsList();
                // a top-up's answer at DEBUG: the download logs the parents it adds
                LOG.atLevel(refreshAnswer ? Level.DEBUG : Level.INFO).log("decision parents task_id={} peer_id={}"
                        + " parents={}", taskId, peerId, parents.stream().map(Peer::getId).toList());
                afterStarted(replay);
                decisions.add(new ScheduleDecision.Parents(parents));
            }
            case NEED_BACK_TO_SOURCE_RESPONSE -> {
                String why = r.getNeedBackToSourceResponse().getDescription();
                if (state != State.BACK_TO_SOURCE || replay) {
                    DownloadPeerBackToSourceStartedRequest.Builder b = DownloadPeerBackToSourceStartedRequest.newBuilder();
                    send(envelope().setDownloadPeerBackToSourceStartedRequest(b).build());
                }
                if (!state.terminal()) {
                    state = State.BACK_TO_SOURCE;
                }
                LOG.info("decision back-to-source task_id={} peer_id={} reason={}", taskId, peerId, why);
                afterStarted(replay);
                decisions.add(new ScheduleDecision.BackToSource(why, true));
            }
            default -> LOG.warn("unknown scheduler response task_id={} peer_id={} case={}", taskId, peerId,
                    r.getResponseCase());
        }
    }

    private void afterStarted(boolean replay) {
        if (replay) {
            for (AnnouncePeerRequest m : reported) {
                send(m);
            }
            LOG.info("replayed pieces task_id={} peer_id={} scheduler={} pieces={}", taskId, peerId, address,
                    reported.size());
        }
        if (pendingTerminal != null) {
            send(pendingTerminal);
            pendingTerminal = null;
            completeStream();
        }
    }

    private synchronized void onStreamError(int gen, Status status) {
        if (gen != generation || (state.terminal() && pendingTerminal == null)) {
            return;
        }
        client.markSuspect(address);
        // NOT_FOUND: a restarted scheduler does not know our host yet; the reconnect announces it first.
        boolean retriable = switch (status.getCode()) {
            case UNAVAILABLE, UNKNOWN, INTERNAL, CANCELLED, DEADLINE_EXCEEDED, ABORTED, NOT_FOUND -> true;
            default -> false;
        };
        if (retriable && reconnectAttempts < client.config().maxReconnectAttempts()) {
            reconnecting = true;
            long base = client.config().reconnectInitialBackoff().toMillis();
            long delay = Math.min(client.config().reconnectMaxBackoff().toMillis(), base << Math.min(20, reconnectAttempts));
            reconnectAttempts++;
            LOG.warn("announce peer stream lost scheduler={} task_id={} peer_id={} status={} reconnect_in_ms={} attempt={}",
                    address, taskId, peerId, status.getCode(), delay, reconnectAttempts);
            final int expected = generation;
            client.executor().schedule(() -> reconnect(expected), delay, TimeUnit.MILLISECONDS);
            return;
        }
        giveUp("scheduler stream failed: " + status.getCode() + " " + status.getDescription());
    }

    private void reconnect(int expectedGeneration) {
        synchronized (this) {
            if (expectedGeneration != generation || (state.terminal() && pendingTerminal == null)) {
                return;
            }
        }
        // blocking calls (health check, AnnounceHost) outside the session lock
        String target = client.addressFor(taskId);
        boolean announced = client.announceHostTo(target);
        synchronized (this) {
            if (expectedGeneration != generation || (state.terminal() && pendingTerminal == null)) {
                return;
            }
            if (!announced) {
                onStreamError(generation, Status.UNAVAILABLE.withDescription("host announcement to " + target + " failed"));
                return;
            }
            openStream(target);
            LOG.info("re-register peer scheduler={} task_id={} peer_id={} attempt={}", address, taskId, peerId,
                    reconnectAttempts);
        }
    }

    private void giveUp(String reason) {
        boolean wasTerminal = state.terminal();
        state = wasTerminal ? state : State.DETACHED;
        reconnecting = false;
        pendingTerminal = null;
        LOG.warn("scheduler given up task_id={} peer_id={} reason={}", taskId, peerId, reason);
        if (wasTerminal) {
            return;
        }
        if (download.getDisableBackToSource()) {
            decisions.add(new SchedulerUnavailableException(taskId, peerId, address, reason, null));
        } else {
            decisions.add(new ScheduleDecision.BackToSource(reason, false));
        }
    }

    private ScheduleDecision nextDecision(Duration timeout) {
        Object o;
        try {
            o = decisions.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScheduleTimeoutException(taskId, peerId, timeout);
        }
        if (o == null) {
            throw new ScheduleTimeoutException(taskId, peerId, timeout);
        }
        if (o instanceof RuntimeException e) {
            throw e;
        }
        return (ScheduleDecision) o;
    }
}

package dev.damselfly.scheduler.server;

import dev.damselfly.scheduler.client.validation.InvalidMessageException;
import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.scheduling.Responder;
import dev.damselfly.scheduler.server.scheduling.Scheduling;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One AnnouncePeer stream: validates each message (spec §1.10) and dispatches it to {@link Scheduling}. */
final class AnnouncePeerHandler implements StreamObserver<AnnouncePeerRequest>, Responder {
    private static final Logger LOG = LoggerFactory.getLogger(AnnouncePeerHandler.class);

    private final ResourceStore store;
    private final Scheduling scheduling;
    private final StreamObserver<AnnouncePeerResponse> out;
    private PeerRecord peer;
    private boolean closed;

    AnnouncePeerHandler(ResourceStore store, Scheduling scheduling, StreamObserver<AnnouncePeerResponse> out) {
        this.store = store;
        this.scheduling = scheduling;
        this.out = out;
    }

    @Override
    public synchronized void respond(AnnouncePeerResponse response) {
        if (!closed) {
            out.onNext(response);
        }
    }

    @Override
    public synchronized void fail(Status status) {
        if (!closed) {
            closed = true;
            out.onError(status.asRuntimeException());
        }
    }

    private synchronized void complete() {
        if (!closed) {
            closed = true;
            out.onCompleted();
        }
    }

    @Override
    public void onNext(AnnouncePeerRequest r) {
        try {
            MessageValidator.validate(r);
        } catch (InvalidMessageException e) {
            LOG.warn("invalid message task_id={} peer_id={} host_id={}: {}", r.getTaskId(), r.getPeerId(), r.getHostId(),
                    e.getMessage());
            fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
            return;
        }
        if (r.hasRegisterPeerRequest()) {
            register(r);
            return;
        }
        PeerRecord p = peer != null && peer.id().equals(r.getPeerId()) ? peer : store.peer(r.getPeerId());
        if (p == null) {
            fail(Status.NOT_FOUND.withDescription("peer " + r.getPeerId() + " of task " + r.getTaskId() + " not found"));
            return;
        }
        switch (r.getRequestCase()) {
            case DOWNLOAD_PEER_STARTED_REQUEST -> scheduling.started(p, false);
            case DOWNLOAD_PEER_BACK_TO_SOURCE_STARTED_REQUEST -> scheduling.started(p, true);
            case RESCHEDULE_PEER_REQUEST -> scheduling.reschedule(p, r.getReschedulePeerRequest().getCandidateParentsList()
                    .stream().map(Peer::getId).toList(), this);
            case DOWNLOAD_PEER_FINISHED_REQUEST -> scheduling.finished(p, false);
            case DOWNLOAD_PEER_BACK_TO_SOURCE_FINISHED_REQUEST -> scheduling.finished(p, true);
            case DOWNLOAD_PEER_FAILED_REQUEST -> scheduling.failed(p, false, r.getDownloadPeerFailedRequest().getDescription());
            case DOWNLOAD_PEER_BACK_TO_SOURCE_FAILED_REQUEST -> scheduling.failed(p, true,
                    r.getDownloadPeerBackToSourceFailedRequest().getDescription());
            case DOWNLOAD_PIECE_FINISHED_REQUEST -> scheduling.pieceFinished(p, r.getDownloadPieceFinishedRequest().getPiece());
            case DOWNLOAD_PIECE_BACK_TO_SOURCE_FINISHED_REQUEST -> scheduling.pieceFinished(p,
                    r.getDownloadPieceBackToSourceFinishedRequest().getPiece());
            case DOWNLOAD_PIECE_FAILED_REQUEST -> scheduling.pieceFailed(p, r.getDownloadPieceFailedRequest().getParentId(),
                    r.getDownloadPieceFailedRequest().getTemporary());
            case DOWNLOAD_PIECE_BACK_TO_SOURCE_FAILED_REQUEST -> LOG.warn(
                    "origin piece failed task_id={} peer_id={} piece={}", r.getTaskId(), r.getPeerId(),
                    r.getDownloadPieceBackToSourceFailedRequest().getPieceNumber());
            default -> fail(Status.INVALID_ARGUMENT.withDescription("unexpected request " + r.getRequestCase()));
        }
        switch (r.getRequestCase()) {
            case DOWNLOAD_PEER_FINISHED_REQUEST, DOWNLOAD_PEER_BACK_TO_SOURCE_FINISHED_REQUEST,
                    DOWNLOAD_PEER_FAILED_REQUEST, DOWNLOAD_PEER_BACK_TO_SOURCE_FAILED_REQUEST -> complete();
            default -> {
            }
        }
    }

    private void register(AnnouncePeerRequest r) {
        HostRecord host = store.host(r.getHostId());
        if (host == null) {
            fail(Status.NOT_FOUND.withDescription("host " + r.getHostId() + " not found: announce the host first"));
            return;
        }
        long now = System.nanoTime();
        TaskRecord task = store.taskOrCreate(r.getTaskId(), now);
        Download d = r.getRegisterPeerRequest().getDownload();
        PeerRecord p = new PeerRecord(r.getPeerId(), task, host, d.getPriority(),
                d.hasConcurrentPieceCount() ? d.getConcurrentPieceCount() : 0, d.getNeedBackToSource(), now);
        store.addPeer(p);
        peer = p;
        scheduling.register(p, d, this);
    }

    @Override
    public void onError(Throwable t) {
        synchronized (this) {
            closed = true;
        }
        if (peer != null) {
            scheduling.left(peer);
        }
    }

    @Override
    public void onCompleted() {
        if (peer != null) {
            scheduling.left(peer);
        }
        complete();
    }
}

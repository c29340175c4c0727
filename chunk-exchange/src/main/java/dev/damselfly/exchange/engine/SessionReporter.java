package dev.damselfly.exchange.engine;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.scheduler.client.PeerSession;
import dev.damselfly.scheduler.client.ScheduleDecision;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.common.v2.TrafficType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reports of one task's AnnouncePeer session (spec §1.12, §10.5: every piece with cost and created_at).
 * Report failures never break a download: a session that is detached or already ended just drops them (the
 * session itself logs lost streams). Thread-safe like {@link PeerSession}.
 */
final class SessionReporter {
    private static final Logger LOG = LoggerFactory.getLogger(SessionReporter.class);

    private final PeerSession session;

    SessionReporter(PeerSession session) {
        this.session = session;
    }

    String peerId() {
        return session.peerId();
    }

    ScheduleDecision register() {
        return session.register();
    }

    /** A piece stored from a parent (REMOTE_PEER) or from the origin (BACK_TO_SOURCE). */
    void pieceStored(PieceInfo info, PieceSource source, String parentPeerId, long costNanos, Instant createdAt) {
        Piece.Builder p = Piece.newBuilder().setNumber(info.number()).setOffset(info.offset()).setLength(info.length())
                .setDigest(info.digest())
                .setCost(Duration.newBuilder().setSeconds(costNanos / 1_000_000_000L).setNanos((int) (costNanos % 1_000_000_000L)))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(createdAt.getEpochSecond()).setNanos(createdAt.getNano()));
        try {
            if (source == PieceSource.REMOTE_PEER) {
                session.pieceFinished(p.setParentId(parentPeerId).setTrafficType(TrafficType.REMOTE_PEER).build());
            } else {
                session.pieceBackToSourceFinished(p.setTrafficType(TrafficType.BACK_TO_SOURCE).build());
            }
        } catch (RuntimeException e) {
            dropped("piece report", info.number(), e);
        }
    }

    /** DownloadPieceFailedRequest(temporary): the scheduler blocks that parent for this peer. */
    void pieceFailed(int number, String parentPeerId) {
        try {
            session.pieceFailed(number, parentPeerId, true);
        } catch (RuntimeException e) {
            dropped("piece failure report", number, e);
        }
    }

    /** Whether a reschedule can be asked now (the session is in P2P). */
    boolean canReschedule() {
        return session.state() == PeerSession.State.P2P;
    }

    /** Whether more parents can be asked for now: in P2P, or reading from the origin (parents holding what it lacks). */
    boolean canRefreshParents() {
        PeerSession.State state = session.state();
        return state == PeerSession.State.P2P || state == PeerSession.State.BACK_TO_SOURCE;
    }

    ScheduleDecision reschedule(List<Peer> failedParents, String why) {
        return session.reschedule(failedParents, why);
    }

    /** More parents, keeping the current ones (see {@code PeerSession#refreshParents}). */
    ScheduleDecision refreshParents(String why) {
        return session.refreshParents(why);
    }

    /** A decision the scheduler sent without being asked (after a reconnect or when the session gave up). */
    Optional<ScheduleDecision> pollDecision() {
        try {
            return session.pollDecision(java.time.Duration.ZERO);
        } catch (RuntimeException e) {
            LOG.warn("scheduler decision lost task_id={} peer_id={}: {}", session.taskId(), session.peerId(), e.toString());
            return Optional.of(new ScheduleDecision.BackToSource("scheduler lost: " + e.getMessage(), false));
        }
    }

    void finished() {
        try {
            session.finished();
        } catch (RuntimeException e) {
            dropped("finished report", -1, e);
        }
    }

    void failed(String why) {
        try {
            session.failed(why);
        } catch (RuntimeException e) {
            dropped("failed report", -1, e);
        }
    }

    private void dropped(String what, int piece, RuntimeException e) {
        LOG.debug("{} dropped task_id={} peer_id={} piece={} state={}: {}", what, session.taskId(), session.peerId(),
                piece, session.state(), e.toString());
    }
}

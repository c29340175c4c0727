package dev.damselfly.exchange.upload;

import dev.damselfly.piecestore.PieceGeometry;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncPiecesResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Collection;
import java.util.Iterator;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SyncPieces stream, parent side (spec §2.4): each poll sends every interested piece that is stored (number,
 * offset, length, ip, tcp_port) and drops it from the interest set. The stream completes when the interest set is
 * empty, or when the task is complete (what is still wanted then lies outside the task and never comes); it fails
 * NOT_FOUND when the task is unknown or deleted. Polls run on the timer every {@value #POLL_MILLIS} ms and at once
 * on a {@link PieceNotifications} wake-up; they stop when the child cancels.
 */
final class PieceSync {
    private static final Logger LOG = LoggerFactory.getLogger(PieceSync.class);
    /** Re-poll interval, milliseconds: 100 (Dragonfly's). */
    static final long POLL_MILLIS = 100;

    private final PieceStore store;
    private final String taskId;
    private final String childHostId;
    private final TreeSet<Integer> interested;
    private final String ip;
    private final int vortexPort;
    private final ServerCallStreamObserver<SyncPiecesResponse> out;
    private final ScheduledExecutorService timer;
    private PieceNotifications.Registration registration;
    private ScheduledFuture<?> poller;
    private boolean done;
    private int sent;

    PieceSync(PieceStore store, String taskId, String childHostId, Collection<Integer> interested, String ip,
              int vortexPort, ServerCallStreamObserver<SyncPiecesResponse> out, ScheduledExecutorService timer) {
        this.store = store;
        this.taskId = taskId;
        this.childHostId = childHostId;
        this.interested = new TreeSet<>(interested);
        this.ip = ip;
        this.vortexPort = vortexPort;
        this.out = out;
        this.timer = timer;
    }

    /** Sends what is stored now (in the caller's thread), then keeps polling until done. */
    synchronized void start(PieceNotifications notifications) {
        out.setOnCancelHandler(this::cancelled);
        poll();
        if (done) {
            return;
        }
        registration = notifications.register(taskId, this::wake);
        poller = timer.scheduleWithFixedDelay(this::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void wake() {
        try {
            timer.execute(this::poll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down: the stream is being cancelled
        }
    }

    synchronized void poll() {
        if (done) {
            return;
        }
        try {
            Optional<TaskInfo> task = store.taskInfo(taskId);
            if (task.isEmpty()) {
                fail(Status.NOT_FOUND.withDescription("task " + taskId + " not found"));
                return;
            }
            TaskInfo t = task.get();
            for (Iterator<Integer> it = interested.iterator(); it.hasNext(); ) {
                int n = it.next();
                if (store.hasPiece(taskId, n)) {
                    out.onNext(SyncPiecesResponse.newBuilder()
                            .setNumber(n)
                            .setOffset(PieceGeometry.offset(n, t.pieceLength()))
                            .setLength(PieceGeometry.length(n, t.contentLength(), t.pieceLength()))
                            .setIp(ip)
                            .setTcpPort(vortexPort)
                            .build());
                    it.remove();
                    sent++;
                }
            }
            if (interested.isEmpty() || t.complete()) {
                LOG.debug("sync pieces finished: task_id={} child={} sent={} unavailable={}", taskId, childHostId,
                        sent, interested.size());
                stop();
                out.onCompleted();
            }
        } catch (StatusRuntimeException e) {
            LOG.debug("sync pieces stream gone: task_id={} child={} status={}", taskId, childHostId, e.getStatus());
            stop();
        } catch (RuntimeException e) {
            LOG.warn("sync pieces failed: task_id={} child={} error={}", taskId, childHostId, e.toString());
            fail(Status.INTERNAL.withDescription(e.toString()));
        }
    }

    private void fail(Status status) {
        stop();
        try {
            out.onError(status.asRuntimeException());
        } catch (RuntimeException ignored) {
            // already cancelled
        }
    }

    private synchronized void cancelled() {
        if (!done) {
            LOG.debug("sync pieces cancelled by child: task_id={} child={} sent={}", taskId, childHostId, sent);
        }
        stop();
    }

    private void stop() {
        done = true;
        if (poller != null) {
            poller.cancel(false);
        }
        if (registration != null) {
            registration.close();
        }
    }
}

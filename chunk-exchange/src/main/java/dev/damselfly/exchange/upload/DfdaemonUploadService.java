package dev.damselfly.exchange.upload;

import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.proto.common.v2.TaskType;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DeleteTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatLocalTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatLocalTaskResponse;
import dev.damselfly.scheduler.proto.dfdaemon.v2.StatTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncHostRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncPiecesRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.SyncPiecesResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DfdaemonUpload gRPC service (spec §2.1–§2.4) over the piece store: SyncPieces (see {@link PieceSync}),
 * SyncHost (the four Network bandwidth fields every {@value #SYNC_HOST_INTERVAL_MILLIS} ms until cancelled),
 * StatTask and StatLocalTask from the store (StatTask: state {@code Succeeded} when every piece is stored, else
 * {@code Running}, no piece list; StatLocalTask: finished_at set only for a complete task, upload counts 0 as the
 * store keeps none), DeleteTask (NOT_FOUND when the task is not there). Unknown tasks answer NOT_FOUND. Every other
 * RPC answers UNIMPLEMENTED. With the TEST-ONLY {@link UploadFaults#failSyncHost()} fault SyncHost answers UNAVAILABLE.
 */
public final class DfdaemonUploadService extends DfdaemonUploadGrpc.DfdaemonUploadImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(DfdaemonUploadService.class);
    /** SyncHost message period, milliseconds: 1000 (Dragonfly's). */
    public static final long SYNC_HOST_INTERVAL_MILLIS = 1000;

    private final PieceStore store;
    private final PieceNotifications notifications;
    private final String advertisedIp;
    private final IntSupplier vortexPort;
    private final BandwidthSampler bandwidth;
    private final ScheduledExecutorService timer;
    private final UploadFaults faults;

    DfdaemonUploadService(PieceStore store, PieceNotifications notifications, String advertisedIp,
                          IntSupplier vortexPort, BandwidthSampler bandwidth,
                          ScheduledExecutorService timer, UploadFaults faults) {
        this.store = Objects.requireNonNull(store);
        this.notifications = Objects.requireNonNull(notifications);
        this.advertisedIp = Objects.requireNonNull(advertisedIp);
        this.vortexPort = vortexPort;
        this.bandwidth = bandwidth;
        this.timer = timer;
        this.faults = Objects.requireNonNull(faults, "faults");
    }

    @Override
    public void syncPieces(SyncPiecesRequest request, StreamObserver<SyncPiecesResponse> responseObserver) {
        if (request.getTaskId().isEmpty()) {
            responseObserver.onError(Status.INVALID_ARGUMENT.withDescription("task_id is empty").asRuntimeException());
            return;
        }
        LOG.debug("sync pieces opened: task_id={} child={} interested={}", request.getTaskId(), request.getHostId(),
                request.getInterestedPieceNumbersCount());
        new PieceSync(store, request.getTaskId(), request.getHostId(), request.getInterestedPieceNumbersList(),
                advertisedIp, vortexPort.getAsInt(), (ServerCallStreamObserver<SyncPiecesResponse>) responseObserver,
                timer).start(notifications);
    }

    @Override
    public void syncHost(SyncHostRequest request, StreamObserver<Host> responseObserver) {
        if (faults.failSyncHost()) {
            responseObserver.onError(Status.UNAVAILABLE.withDescription("TEST-ONLY fault: SyncHost refused")
                    .asRuntimeException());
            return;
        }
        ServerCallStreamObserver<Host> out = (ServerCallStreamObserver<Host>) responseObserver;
        LOG.debug("sync host opened: child_host_id={} peer_id={}", request.getHostId(), request.getPeerId());
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        Object lock = new Object();
        out.setOnCancelHandler(() -> {
            synchronized (lock) {
                if (task[0] != null) {
                    task[0].cancel(false);
                }
                task[0] = null;
            }
        });
        synchronized (lock) {
            task[0] = timer.scheduleAtFixedRate(() -> {
                synchronized (lock) {
                    if (task[0] == null || out.isCancelled()) {
                        return;
                    }
                    try {
                        out.onNext(bandwidth.host());
                    } catch (RuntimeException e) {
                        task[0].cancel(false);
                        task[0] = null;
                    }
                }
            }, 0, SYNC_HOST_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void statTask(StatTaskRequest request, StreamObserver<Task> responseObserver) {
        TaskInfo t = store.taskInfo(request.getTaskId()).orElse(null);
        if (t == null) {
            responseObserver.onError(notFound(request.getTaskId()));
            return;
        }
        responseObserver.onNext(Task.newBuilder()
                .setId(t.taskId())
                .setType(TaskType.STANDARD)
                .setContentLength(t.contentLength())
                .setPieceCount(t.pieceCount())
                .setState(t.complete() ? "Succeeded" : "Running")
                .setCreatedAt(timestamp(t.createdAt()))
                .setUpdatedAt(timestamp(t.lastAccess()))
                .build());
        responseObserver.onCompleted();
    }

    @Override
    public void statLocalTask(StatLocalTaskRequest request, StreamObserver<StatLocalTaskResponse> responseObserver) {
        TaskInfo t = store.taskInfo(request.getTaskId()).orElse(null);
        if (t == null) {
            responseObserver.onError(notFound(request.getTaskId()));
            return;
        }
        StatLocalTaskResponse.Builder b = StatLocalTaskResponse.newBuilder()
                .setTaskId(t.taskId())
                .setPieceLength(t.pieceLength())
                .setContentLength(t.contentLength())
                .setCreatedAt(timestamp(t.createdAt()))
                .setUpdatedAt(timestamp(t.lastAccess()));
        if (t.complete()) {
            b.setFinishedAt(timestamp(t.lastAccess()));
        }
        responseObserver.onNext(b.build());
        responseObserver.onCompleted();
    }

    @Override
    public void deleteTask(DeleteTaskRequest request, StreamObserver<Empty> responseObserver) {
        if (!store.deleteTask(request.getTaskId())) {
            responseObserver.onError(notFound(request.getTaskId()));
            return;
        }
        LOG.info("task deleted on request: task_id={}", request.getTaskId());
        responseObserver.onNext(Empty.getDefaultInstance());
        responseObserver.onCompleted();
    }

    private static RuntimeException notFound(String taskId) {
        return Status.NOT_FOUND.withDescription("task " + taskId + " not found").asRuntimeException();
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}

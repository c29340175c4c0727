package dev.damselfly.scheduler.server;

import com.google.protobuf.Empty;
import dev.damselfly.scheduler.client.validation.InvalidMessageException;
import dev.damselfly.scheduler.client.validation.MessageValidator;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnounceHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.DeleteHostRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DeletePeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.DeleteTaskRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.ListHostsRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.ListHostsResponse;
import dev.damselfly.scheduler.proto.scheduler.v2.SchedulerGrpc;
import dev.damselfly.scheduler.proto.scheduler.v2.StatPeerRequest;
import dev.damselfly.scheduler.proto.scheduler.v2.StatTaskRequest;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.scheduling.Scheduling;
import dev.damselfly.scheduler.server.scheduling.Views;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code scheduler.v2.Scheduler} for standard tasks: AnnouncePeer, StatPeer, DeletePeer, StatTask, DeleteTask,
 * AnnounceHost, ListHosts, DeleteHost. Cache, persistent, persistent-cache and preheat RPCs answer
 * UNIMPLEMENTED.
 */
public final class SchedulerService extends SchedulerGrpc.SchedulerImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerService.class);

    private final ResourceStore store;
    private final Scheduling scheduling;

    public SchedulerService(ResourceStore store, Scheduling scheduling) {
        this.store = store;
        this.scheduling = scheduling;
    }

    @Override
    public StreamObserver<AnnouncePeerRequest> announcePeer(StreamObserver<AnnouncePeerResponse> responseObserver) {
        return new AnnouncePeerHandler(store, scheduling, responseObserver);
    }

    @Override
    public void announceHost(AnnounceHostRequest request, StreamObserver<Empty> out) {
        try {
            MessageValidator.validate(request);
        } catch (InvalidMessageException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        store.announceHost(request.getHost(), System.nanoTime());
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void deleteHost(DeleteHostRequest request, StreamObserver<Empty> out) {
        store.removeHost(request.getHostId());
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> out) {
        ListHostsResponse.Builder b = ListHostsResponse.newBuilder();
        for (HostRecord h : store.hosts()) {
            if (!request.hasType() || h.host().getType() == request.getType()) {
                b.addHosts(h.host());
            }
        }
        out.onNext(b.build());
        out.onCompleted();
    }

    @Override
    public void statPeer(StatPeerRequest request, StreamObserver<Peer> out) {
        PeerRecord p = store.peer(request.getPeerId());
        if (p == null || !p.task().id().equals(request.getTaskId())) {
            out.onError(Status.NOT_FOUND.withDescription("peer " + request.getPeerId() + " of task "
                    + request.getTaskId() + " not found").asRuntimeException());
            return;
        }
        Peer view;
        synchronized (p.task()) {
            view = Views.peer(p);
        }
        out.onNext(view);
        out.onCompleted();
    }

    @Override
    public void deletePeer(DeletePeerRequest request, StreamObserver<Empty> out) {
        PeerRecord p = store.peer(request.getPeerId());
        if (p != null) {
            store.removePeer(p);
            LOG.info("peer deleted task_id={} peer_id={} host_id={}", p.task().id(), p.id(), p.host().id());
        }
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void statTask(StatTaskRequest request, StreamObserver<Task> out) {
        TaskRecord t = store.task(request.getTaskId());
        if (t == null) {
            out.onError(Status.NOT_FOUND.withDescription("task " + request.getTaskId() + " not found").asRuntimeException());
            return;
        }
        out.onNext(Views.task(t));
        out.onCompleted();
    }

    @Override
    public void deleteTask(DeleteTaskRequest request, StreamObserver<Empty> out) {
        TaskRecord t = store.task(request.getTaskId());
        if (t != null) {
            List<PeerRecord> peers = t.peersSnapshot();
            for (PeerRecord p : peers) {
                if (p.host().id().equals(request.getHostId())) {
                    store.removePeer(p);
                }
            }
            store.removeTaskIfEmpty(t);
            LOG.info("task deleted on host task_id={} host_id={}", request.getTaskId(), request.getHostId());
        }
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }
}

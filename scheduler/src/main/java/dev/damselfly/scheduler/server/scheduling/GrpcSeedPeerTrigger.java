package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DfdaemonUploadGrpc;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DownloadTaskRequest;
import dev.damselfly.scheduler.proto.dfdaemon.v2.DownloadTaskResponse;
import dev.damselfly.scheduler.server.resource.HostRecord;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Triggers seeds over gRPC: DfdaemonUpload.DownloadTask on {@code host.ip:host.port}, response stream drained. */
public final class GrpcSeedPeerTrigger implements SeedPeerTrigger {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcSeedPeerTrigger.class);
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

    @Override
    public void trigger(HostRecord seed, String taskId, Download download, Runnable onFailure) {
        String target = seed.host().getIp() + ":" + seed.host().getPort();
        ManagedChannel ch = channels.computeIfAbsent(target, t -> NettyChannelBuilder.forTarget(t).usePlaintext().build());
        LOG.info("trigger seed task_id={} host_id={} target={}", taskId, seed.id(), target);
        DfdaemonUploadGrpc.newStub(ch).downloadTask(DownloadTaskRequest.newBuilder().setDownload(download).build(),
                new StreamObserver<DownloadTaskResponse>() {
                    @Override
                    public void onNext(DownloadTaskResponse value) {
                        // progress is reported by the seed's own AnnouncePeer stream
                    }

                    @Override
                    public void onError(Throwable t) {
                        LOG.warn("seed download failed task_id={} host_id={}: {}", taskId, seed.id(), t.toString());
                        onFailure.run();
                    }

                    @Override
                    public void onCompleted() {
                        LOG.info("seed download done task_id={} host_id={}", taskId, seed.id());
                    }
                });
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
    }
}

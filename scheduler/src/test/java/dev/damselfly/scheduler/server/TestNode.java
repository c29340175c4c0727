package dev.damselfly.scheduler.server;

import dev.damselfly.scheduler.client.PeerSession;
import dev.damselfly.scheduler.client.SchedulerClient;
import dev.damselfly.scheduler.client.SchedulerClientConfig;
import dev.damselfly.scheduler.client.host.HostFactsCollector;
import dev.damselfly.scheduler.client.host.HostIdentity;
import dev.damselfly.scheduler.client.id.HostIds;
import dev.damselfly.scheduler.proto.common.v2.Download;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/** A node's scheduler client for tests: one host (127.0.0.1-NAME) talking to the given scheduler port. */
public final class TestNode implements AutoCloseable {
    public final String name;
    public final SchedulerClient client;
    private final boolean seed;

    public TestNode(String name, int schedulerPort, boolean seed, SchedulerClientConfig config) {
        this.name = name;
        this.seed = seed;
        HostIdentity id = HostIdentity.of("127.0.0.1", name, 4000, Path.of(System.getProperty("java.io.tmpdir"))).asSeed(seed);
        this.client = SchedulerClient.start(config, new HostFactsCollector(id, OptionalLong::empty));
    }

    public TestNode(String name, int schedulerPort) {
        this(name, schedulerPort, false, fastConfig(schedulerPort));
    }

    public static SchedulerClientConfig fastConfig(int port) {
        return SchedulerClientConfig.defaults(List.of("127.0.0.1:" + port))
                .withScheduleTimeout(Duration.ofSeconds(20))
                .withReconnect(Duration.ofMillis(100), Duration.ofMillis(500), 20)
                .withHealthRefreshInterval(Duration.ofMillis(200));
    }

    public static Download download(String url, int pieces) {
        return Download.newBuilder().setUrl(url)
                .setActualContentLength(pieces * Fixtures.PIECE)
                .setActualPieceLength(Fixtures.PIECE)
                .setActualPieceCount(pieces)
                .build();
    }

    public PeerSession open(String taskId, Download d) {
        return client.openPeer(taskId, HostIds.peerId("127.0.0.1", name, seed), d);
    }

    @Override
    public void close() {
        client.close();
    }
}

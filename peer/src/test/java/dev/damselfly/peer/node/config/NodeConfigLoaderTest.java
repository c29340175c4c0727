package dev.damselfly.peer.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.server.SchedulerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsFollowTheRustClientPorts() {
        NodeConfig c = NodeConfigLoader.load(Optional.empty(), List.of());
        assertEquals(4000, c.upload.grpcPort);
        assertEquals(4001, c.proxy.port);
        assertEquals(4002, c.metrics.port);
        assertEquals(4003, c.health.port);
        assertEquals(4004, c.admin.port);
        assertEquals(4005, c.upload.vortexPort);
        assertEquals("127.0.0.1", c.admin.listen);
        assertTrue(c.scheduler.addresses.isEmpty(), "embedded scheduler by default");
        assertEquals(8, c.download.concurrentPieceCount);
        assertEquals(Duration.ofSeconds(360), c.download.pieceTimeout);
        assertEquals(10_000_000_000L, c.host.uploadBandwidth);
        assertEquals("blobs/sha256.*", c.proxy.rules.get(0).regex);
        assertEquals(0.0, c.proxy.requestRateLimit);
        assertEquals(0, c.proxy.requestRateBurst);
        assertTrue(c.proxy.httpsInterception.hosts.isEmpty(), "no HTTPS interception by default");
        assertEquals("", c.proxy.httpsInterception.caDir);
        assertEquals(64L << 20, c.storage.recentPieces);
    }

    @Test
    void proxyInterceptionAndRateLimitKeysRead() throws Exception {
        Path file = dir.resolve("proxy.yaml");
        Files.writeString(file, """
                proxy:
                  requestRateLimit: 2.5
                  requestRateBurst: 10
                  httpsInterception:
                    hosts: [docker.io, "registry.example:5000"]
                    caCert: /etc/damselfly/ca.pem
                    caKey: /etc/damselfly/ca-key.pem
                """);
        NodeConfig c = NodeConfigLoader.load(Optional.of(file), List.of("proxy.httpsInterception.caDir=/srv/ca"));
        assertEquals(2.5, c.proxy.requestRateLimit);
        assertEquals(10, c.proxy.requestRateBurst);
        assertEquals(List.of("docker.io", "registry.example:5000"), c.proxy.httpsInterception.hosts);
        assertEquals("/etc/damselfly/ca.pem", c.proxy.httpsInterception.caCert);
        assertEquals("/etc/damselfly/ca-key.pem", c.proxy.httpsInterception.caKey);
        assertEquals("/srv/ca", c.proxy.httpsInterception.caDir);
        assertEquals(4001, c.proxy.port, "other proxy keys keep their defaults");
    }

    @Test
    void readsAFileWithUnitsAndAppliesOverridesOnTop() throws Exception {
        Path file = dir.resolve("damselfly.yaml");
        Files.writeString(file, """
                dataDir: /srv/damselfly
                host:
                  ip: 10.0.0.7
                  uploadBandwidth: 100Mbit
                scheduler:
                  addresses: ["sched-a:8002", "sched-b:8002"]
                upload:
                  rateLimit: 50MiB
                download:
                  pieceTimeout: 30s
                  backToSource:
                    enabled: false
                storage:
                  capacity: 20GiB
                  taskTtl: 7d
                  recentPieces: 16MiB
                proxy:
                  registries:
                    - name: registry.example
                      url: https://registry.example
                """);
        NodeConfig c = NodeConfigLoader.load(Optional.of(file),
                List.of("upload.grpcPort=14000", "scheduler.addresses=[x:1, y:2]", "host.hostname=node-7"));
        assertEquals(Path.of("/srv/damselfly"), c.dataDir);
        assertEquals("10.0.0.7", c.host.ip);
        assertEquals("node-7", c.host.hostname);
        assertEquals(100_000_000L, c.host.uploadBandwidth);
        assertEquals(List.of("x:1", "y:2"), c.scheduler.addresses);
        assertEquals(50L << 20, c.upload.rateLimit);
        assertEquals(14000, c.upload.grpcPort);
        assertEquals(Duration.ofSeconds(30), c.download.pieceTimeout);
        assertFalse(c.download.backToSource.enabled);
        assertEquals(20L << 30, c.storage.capacity);
        assertEquals(Duration.ofDays(7), c.storage.taskTtl);
        assertEquals(16L << 20, c.storage.recentPieces);
        assertEquals("registry.example", c.proxy.registries.get(0).name);
        assertEquals(1, c.proxy.registries.size(), "a listed registries key replaces the default list");
    }

    @Test
    void aPartialSectionKeepsTheDefaultsOfItsOtherKeys() {
        NodeConfig c = NodeConfigLoader.load(Optional.empty(), List.of("admin.port=0", "download.backToSource.rateLimit=1MiB"));
        assertEquals("127.0.0.1", c.admin.listen);
        assertEquals(0, c.admin.port);
        assertTrue(c.download.backToSource.enabled);
        assertEquals(8, c.download.backToSource.concurrency);
        assertEquals(1L << 20, c.download.backToSource.rateLimit);
        assertEquals(8, c.download.concurrentPieceCount);
    }

    @Test
    void theEmbeddedSchedulersParentGraphIsAMeshUnlessSetToDag() {
        assertEquals(SchedulerConfig.ParentGraph.MESH,
                NodeConfigLoader.load(Optional.empty(), List.of()).scheduler.embeddedParentGraph);
        assertEquals(SchedulerConfig.ParentGraph.DAG, NodeConfigLoader.load(Optional.empty(),
                List.of("scheduler.embeddedParentGraph=DAG")).scheduler.embeddedParentGraph);
        NodeConfigException e = assertThrows(NodeConfigException.class,
                () -> NodeConfigLoader.load(Optional.empty(), List.of("scheduler.embeddedParentGraph=TREE")));
        assertTrue(e.getMessage().contains("embeddedParentGraph"), e.getMessage());
    }

    @Test
    void repeatsAreDeflectedForTwoSecondsUnlessTheHoldIsSetOrZero() {
        assertEquals(Duration.ofSeconds(2), NodeConfigLoader.load(Optional.empty(), List.of()).upload.repeatHold);
        assertEquals(Duration.ofMillis(500), NodeConfigLoader.load(Optional.empty(),
                List.of("upload.repeatHold=500ms")).upload.repeatHold);
        assertEquals(Duration.ZERO, NodeConfigLoader.load(Optional.empty(), List.of("upload.repeatHold=0")).upload.repeatHold);
        assertMessage(List.of("upload.repeatHold=soon"), "duration");
    }

    @Test
    void twoReadersMayStripeATaskUnlessStripesAreOff() {
        assertEquals(2, NodeConfigLoader.load(Optional.empty(), List.of()).scheduler.embeddedSourceStripes);
        assertEquals(1, NodeConfigLoader.load(Optional.empty(),
                List.of("scheduler.embeddedSourceStripes=1")).scheduler.embeddedSourceStripes);
        assertMessage(List.of("scheduler.embeddedSourceStripes=0"), "1 or more");
    }

    @Test
    void aTypoIsAnErrorNamingTheKey() throws Exception {
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, "upload:\n  grpcPrt: 4000\n");
        NodeConfigException e = assertThrows(NodeConfigException.class,
                () -> NodeConfigLoader.load(Optional.of(file), List.of()));
        assertTrue(e.getMessage().contains("grpcPrt") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void badValuesAreErrorsNamingTheKey() {
        assertMessage(List.of("upload.rateLimit=fast"), "fast");
        assertMessage(List.of("download.pieceTimeout=10 parsecs"), "duration");
        assertMessage(List.of("proxy.port=70000"), "proxy.port");
        assertMessage(List.of("storage.lowWatermark=0.95"), "lowWatermark");
        assertMessage(List.of("proxy.defaultRegistry=quay.io"), "quay.io");
        assertMessage(List.of("proxy.rules=[{regex: '('}]"), "proxy.rules[0].regex");
        assertMessage(List.of("scheduler.addresses=[nohost]"), "nohost");
        assertMessage(List.of("upload.testCorruptRatio=2"), "testCorruptRatio");
        assertMessage(List.of("novalue"), "key.path=value");
    }

    @Test
    void aMissingOrBrokenFileIsNamed() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertTrue(assertThrows(NodeConfigException.class, () -> NodeConfigLoader.load(Optional.of(missing), List.of()))
                .getMessage().contains("does not exist"));
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "upload: [unclosed\n");
        assertTrue(assertThrows(NodeConfigException.class, () -> NodeConfigLoader.load(Optional.of(broken), List.of()))
                .getMessage().contains("not valid YAML"));
    }

    @Test
    void unitsParse() {
        assertEquals(Duration.ofMillis(100), DurationText.parse("100ms"));
        assertEquals(Duration.ZERO, DurationText.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> DurationText.parse("5"));
        assertEquals("6m", DurationText.format(Duration.ofSeconds(360)));
        assertEquals(10_000_000_000L, BitRate.parse("10Gbit"));
        assertEquals(1234L, BitRate.parse("1234"));
        assertThrows(IllegalArgumentException.class, () -> BitRate.parse("10G"));
    }

    private static void assertMessage(List<String> overrides, String expected) {
        NodeConfigException e = assertThrows(NodeConfigException.class,
                () -> NodeConfigLoader.load(Optional.empty(), overrides), () -> "accepted " + overrides);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

package dev.damselfly.peer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.peer.node.config.NodeConfigLoader;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.intercept.CaFileException;
import dev.damselfly.proxy.intercept.InterceptionCa;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node's {@code proxy.*} keys reach the proxy: rate limit, HTTPS interception and where its CA lives. */
class NodeProxyTest {
    @TempDir
    Path dir;

    private NodeConfig load(String... overrides) {
        return NodeConfigLoader.load(Optional.empty(), List.of(overrides));
    }

    @Test
    void defaultsLeaveInterceptionAndRateLimitOff() {
        ProxyConfig config = NodeProxy.configure(load()).build();
        assertTrue(config.httpsInterception().isEmpty());
        assertEquals(0.0, config.requestRateLimit());
    }

    @Test
    void rateLimitKeysReachTheProxy() {
        ProxyConfig config = NodeProxy.configure(load("proxy.requestRateLimit=50", "proxy.requestRateBurst=200")).build();
        assertEquals(50.0, config.requestRateLimit());
        assertEquals(200, config.effectiveRequestRateBurst());
        assertEquals(50, NodeProxy.configure(load("proxy.requestRateLimit=50")).build().effectiveRequestRateBurst());
    }

    @Test
    void generatedCaLivesUnderTheDataDirectoryAndIsCreatedAtStart() throws Exception {
        NodeConfig node = load("dataDir=" + dir, "proxy.httpsInterception.hosts=[docker.io]");
        ProxyConfig config = NodeProxy.configure(node).listen(new InetSocketAddress("127.0.0.1", 0)).build();
        Path caDir = dir.resolve(NodeProxy.DEFAULT_CA_DIR);
        assertEquals(List.of("docker.io"), config.httpsInterception().orElseThrow().hosts());
        assertEquals(Optional.of(caDir), config.httpsInterception().orElseThrow().caDir());
        try (ProxyServer proxy = ProxyServer.start(config)) {
            assertTrue(Files.isRegularFile(caDir.resolve(InterceptionCa.CERT_FILE)));
            assertTrue(Files.isRegularFile(caDir.resolve(InterceptionCa.KEY_FILE)));
        }
    }

    @Test
    void operatorCaFilesAreUsedAndABadOneStopsTheStart() throws Exception {
        Path missing = dir.resolve("nope.pem");
        NodeConfig node = load("proxy.httpsInterception.hosts=[docker.io]", "proxy.httpsInterception.caCert=" + missing,
                "proxy.httpsInterception.caKey=" + dir.resolve("nope-key.pem"));
        ProxyConfig config = NodeProxy.configure(node).listen(new InetSocketAddress("127.0.0.1", 0)).build();
        assertEquals(Optional.of(missing), config.httpsInterception().orElseThrow().caCert());
        CaFileException failure = assertThrows(CaFileException.class, () -> ProxyServer.start(config).close());
        assertEquals(missing, failure.file());
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        NodeConfig node = load("proxy.httpsInterception.hosts=[docker.io]", "proxy.httpsInterception.caCert=/etc/ca.pem");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> NodeProxy.configure(node).build());
        assertTrue(refused.getMessage().contains("both"), refused.getMessage());
    }

    @Test
    void interceptingARegistryNotConfiguredIsRefused() {
        NodeConfig node = load("proxy.httpsInterception.hosts=[ghcr.io]");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> NodeProxy.configure(node).build());
        assertTrue(refused.getMessage().contains("ghcr.io"), refused.getMessage());
    }
}

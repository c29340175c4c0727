package dev.damselfly.peer.node;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
import dev.damselfly.proxy.intercept.HttpsInterception;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Starts the registry mirror/proxy of a node from its config, with blob GETs served through the download engine. */
final class NodeProxy {
    /** Directory under the data directory where a generated interception CA is kept: {@value}. */
    static final String DEFAULT_CA_DIR = "proxy-ca";

    private NodeProxy() {
    }

    static ProxyServer start(NodeConfig config, DownloadEngine engine, PieceStore store, OriginFactory origins,
                             MeterRegistry registry) {
        ProxyConfig proxyConfig = configure(config)
                .blobFetcher(new EngineBlobFetcher(engine, store, origins, config.download.pieceTimeout.toMillis()))
                .meterRegistry(registry)
                .build();
        try {
            return ProxyServer.start(proxyConfig);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the proxy on " + config.proxy.listen + ":" + config.proxy.port
                    + ": " + e.getMessage(), e);
        }
    }

    /** The proxy's settings from the node's {@code proxy.*} keys; the fetcher and the meter registry are added by the caller. */
    static ProxyConfig.Builder configure(NodeConfig config) {
        List<RegistryUpstream> registries = config.proxy.registries.stream()
                .map(r -> r.url == null || r.url.isBlank() ? RegistryUpstream.of(r.name) : new RegistryUpstream(r.name, URI.create(r.url)))
                .toList();
        String defaultMirror = config.proxy.defaultRegistry.isEmpty()
                ? (registries.stream().anyMatch(r -> r.name().equals("docker.io")) ? "docker.io" : null)
                : config.proxy.defaultRegistry;
        return ProxyConfig.builder()
                .listen(new InetSocketAddress(config.proxy.listen, config.proxy.port))
                .registries(registries)
                .defaultMirror(defaultMirror)
                .rules(config.proxy.rules.stream().map(r -> r.regex).toList())
                .authCacheTtl(config.proxy.authCacheTtl)
                .servePeersWhenOriginUnreachable(config.proxy.servePeersWhenRegistryUnreachable)
                .requestRateLimit(config.proxy.requestRateLimit)
                .requestRateBurst(config.proxy.requestRateBurst)
                .httpsInterception(interception(config));
    }

    /** {@code proxy.httpsInterception}, or null when no host is listed. */
    private static HttpsInterception interception(NodeConfig config) {
        NodeConfig.HttpsInterception section = config.proxy.httpsInterception;
        if (section.hosts == null || section.hosts.isEmpty()) {
            return null;
        }
        Optional<Path> caCert = optionalPath(section.caCert);
        Optional<Path> caKey = optionalPath(section.caKey);
        Path caDir = optionalPath(section.caDir).orElse(config.dataDir.resolve(DEFAULT_CA_DIR));
        return new HttpsInterception(section.hosts, caCert, caKey, caCert.isPresent() ? Optional.empty() : Optional.of(caDir));
    }

    private static Optional<Path> optionalPath(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
    }
}

package dev.damselfly.peer.node;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/** Starts the registry mirror/proxy of a node from its config, with blob GETs served through the download engine. */
final class NodeProxy {
    private NodeProxy() {
    }

    static ProxyServer start(NodeConfig config, DownloadEngine engine, PieceStore store, OriginFactory origins,
                             MeterRegistry registry) {
        List<RegistryUpstream> registries = config.proxy.registries.stream()
                .map(r -> r.url == null || r.url.isBlank() ? RegistryUpstream.of(r.name) : new RegistryUpstream(r.name, URI.create(r.url)))
                .toList();
        String defaultMirror = config.proxy.defaultRegistry.isEmpty()
                ? (registries.stream().anyMatch(r -> r.name().equals("docker.io")) ? "docker.io" : null)
                : config.proxy.defaultRegistry;
        ProxyConfig proxyConfig = ProxyConfig.builder()
                .listen(new InetSocketAddress(config.proxy.listen, config.proxy.port))
                .registries(registries)
                .defaultMirror(defaultMirror)
                .rules(config.proxy.rules.stream().map(r -> r.regex).toList())
                .authCacheTtl(config.proxy.authCacheTtl)
                .servePeersWhenOriginUnreachable(config.proxy.servePeersWhenRegistryUnreachable)
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
}

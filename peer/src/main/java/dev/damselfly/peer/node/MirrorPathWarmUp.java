package dev.damselfly.peer.node;

import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
import dev.damselfly.proxy.p2p.BlobFetcher;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.commons.io.file.PathUtils;

/**
 * A node's blob data path, run once at start before its mirror takes clients: one blob fetched through the mirror,
 * exactly as containerd's first cache miss is, with every part that serves one (the proxy's Netty server and its rules,
 * the engine's ranged origin GETs through the node's own HTTP client, piece writes with direct I/O into a piece store,
 * the recent pieces, the task's SHA-256, the client's stream). A freshly started JVM runs that path interpreted and
 * compiles it while it serves: across a 1000 Mbit/s registry link, a freshly started node's first cache-miss pull took
 * 1.13× the time of a direct pull without this warm-up and 1.08× with it (BENCHMARKS.md, node-pull-ab-warmup-link).
 *
 * <p>Nothing of it is seen outside: the blob comes from a loopback origin of its own ({@link WarmUpBlobOrigin}), goes
 * into a piece store of its own in {@code scratch} (emptied first, removed after) through an engine without a scheduler,
 * and out of a proxy of its own on an ephemeral loopback port that reaches only that origin; their meters go nowhere.
 * The bytes the client gets are compared with the origin's, so a node whose data path is broken says so at start.
 */
final class MirrorPathWarmUp {
    /** Connect timeout of the warm-up's client, ms: 5,000. */
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** The client's read buffer, bytes: 64 KiB. */
    private static final int READ_BUFFER_BYTES = 64 << 10;

    private MirrorPathWarmUp() {
    }

    /**
     * Fetches a blob of {@code bytes} through the path.
     *
     * @param scratch     directory for the warm-up's piece store (emptied first, removed after)
     * @param storeConfig the node's piece store settings
     * @param engines     makes the warm-up's engine over a store, without a scheduler
     * @param proxy       the node's proxy settings (listen address, registries and fetcher are replaced)
     * @param fetchers    makes the proxy's blob fetcher over an engine and its store
     * @param readTimeout longest the client waits for a byte
     * @return the bytes the client read (all of the blob)
     * @throws IOException when any part fails, or the client got other bytes than the origin served
     */
    static long run(Path scratch, long bytes, PieceStoreConfig storeConfig, Function<PieceStore, DownloadEngine> engines,
                    ProxyConfig.Builder proxy, BiFunction<DownloadEngine, PieceStore, BlobFetcher> fetchers,
                    Duration readTimeout) throws IOException {
        if (Files.exists(scratch)) {
            PathUtils.deleteDirectory(scratch);
        }
        try (WarmUpBlobOrigin origin = WarmUpBlobOrigin.start(bytes, System.nanoTime());
             PieceStore store = PieceStore.open(scratch.resolve("pieces"), storeConfig, new CompositeMeterRegistry());
             DownloadEngine engine = engines.apply(store);
             ProxyServer mirror = ProxyServer.start(proxy
                     .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                     .registries(List.of(new RegistryUpstream(origin.registry(), URI.create("http://" + origin.registry()))))
                     .defaultMirror(null)
                     .httpsInterception(null)
                     .requestRateLimit(0)
                     .blobFetcher(fetchers.apply(engine, store))
                     .meterRegistry(new CompositeMeterRegistry())
                     .build())) {
            return fetchThrough(mirror, origin, readTimeout);
        } finally {
            if (Files.exists(scratch)) {
                PathUtils.deleteDirectory(scratch);
            }
        }
    }

    /** GETs the blob through the mirror ({@code ?ns=}) and compares every byte with the origin's. */
    private static long fetchThrough(ProxyServer mirror, WarmUpBlobOrigin origin, Duration readTimeout) throws IOException {
        URI url = URI.create("http://" + mirror.hostPort() + "/v2/" + WarmUpBlobOrigin.REPOSITORY + "/blobs/"
                + origin.digest() + "?ns=" + origin.registry());
        HttpURLConnection get = (HttpURLConnection) url.toURL().openConnection();
        get.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
        get.setReadTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        try {
            int status = get.getResponseCode();
            if (status != 200) {
                throw new IOException("the warm-up blob " + origin.digest() + " through the mirror: HTTP " + status);
            }
            long got = 0;
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            try (InputStream in = get.getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0; got += n) {
                    if (!origin.matches(got, buffer, n)) {
                        throw new IOException("the warm-up blob " + origin.digest() + " through the mirror differs from"
                                + " the origin's within bytes " + got + "-" + (got + n - 1));
                    }
                }
            }
            if (got != origin.length()) {
                throw new IOException("the warm-up blob " + origin.digest() + " through the mirror: " + got + " of "
                        + origin.length() + " bytes");
            }
            return got;
        } finally {
            get.disconnect();
        }
    }
}

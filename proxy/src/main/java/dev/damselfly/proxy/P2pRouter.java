package dev.damselfly.proxy;

import dev.damselfly.oci.registry.ByteRange;
import dev.damselfly.proxy.p2p.BlobFetcher;
import dev.damselfly.proxy.p2p.BlobRequest;
import dev.damselfly.proxy.p2p.DragonflyHeaders;
import dev.damselfly.proxy.p2p.InvalidDragonflyHeaderException;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The P2P path of the proxy (spec §4.2 step 5): decides which GETs go to the {@link BlobFetcher} (a blob URL
 * that matches one of the rules, or any blob GET with {@code X-Dragonfly-Use-P2P: true}), confirms with the
 * origin that the client may read the blob (answers cached by {@link AuthorizationCache}), and starts a
 * {@link BlobStreamer} on the fetch executor. Everything else, HEAD included, stays on the pass-through path.
 * Only {@code /v2/NAME/blobs/DIGEST} URLs are served here: a rule matching another URL passes it through,
 * since only a blob can be checked against the origin and its digest.
 */
final class P2pRouter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(P2pRouter.class);

    private final BlobFetcher fetcher;
    private final List<Pattern> rules;
    private final AuthorizationCache cache;
    private final AuthorizationProbe probe;
    private final ProxyMetrics metrics;
    private final ThreadPoolExecutor executor;
    private final boolean servePeersWhenOriginUnreachable;

    P2pRouter(ProxyConfig config, BlobFetcher fetcher, UpstreamConnector connector, ProxyMetrics metrics) {
        this.fetcher = fetcher;
        this.rules = config.rules();
        this.servePeersWhenOriginUnreachable = config.servePeersWhenOriginUnreachable();
        this.cache = new AuthorizationCache(config.authCacheTtl());
        this.probe = new AuthorizationProbe(connector);
        this.metrics = metrics;
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(config.fetchThreads(), config.fetchThreads(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "damselfly-proxy-fetch-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /**
     * The P2P request for {@code request}, or empty when it passes through.
     *
     * @throws ProxyException 400 for a bad {@code Range} or Dragonfly header on a request that goes P2P
     */
    Optional<BlobRequest> route(HttpRequest request, UpstreamTarget target) throws ProxyException {
        if (!HttpMethod.GET.equals(request.method())) {
            return Optional.empty();
        }
        HttpHeaders headers = request.headers();
        String useP2p = headers.get(DragonflyHeaders.USE_P2P);
        boolean forced = useP2p != null && useP2p.trim().equalsIgnoreCase("true");
        URI uri = target.uri();
        String matched = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
        if (!forced && rules.stream().noneMatch(rule -> rule.matcher(matched).find())) {
            return Optional.empty();
        }
        Optional<BlobPath> blob = BlobPath.parse(uri.getRawPath());
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        DragonflyHeaders dragonfly;
        try {
            dragonfly = DragonflyHeaders.parse(headers::get);
        } catch (InvalidDragonflyHeaderException e) {
            throw new ProxyException(400, e.getMessage());
        }
        Optional<ByteRange> range = RangeHeader.parse(headers.get(HttpHeaderNames.RANGE));
        return Optional.of(new BlobRequest(uri, target.registry().name(), blob.get().repository(), blob.get().digest(), range,
                originHeaders(headers), dragonfly));
    }

    /**
     * Tells {@code then} (on {@code loop}) whether the origin lets this client read the blob: from the cache,
     * else by an origin HEAD with the client's {@code Authorization}. Fails closed: anything but a 2xx/3xx
     * answer is "no".
     */
    void authorize(EventLoop loop, BlobRequest blob, String authorization, Consumer<Boolean> then) {
        AuthorizationCache.Key key = new AuthorizationCache.Key(AuthorizationCache.credentialHash(authorization),
                blob.registry(), blob.repository(), blob.digest().toString());
        Optional<AuthorizationCache.Decision> cached = cache.get(key);
        if (cached.isPresent()) {
            then.accept(cached.get() == AuthorizationCache.Decision.ALLOWED);
            return;
        }
        probe.check(loop, blob.url(), authorization, status -> {
            if (status == AuthorizationProbe.UNREACHABLE && servePeersWhenOriginUnreachable) {
                LOG.warn("origin unreachable registry={} repository={} digest={}: serving from the node and its peers"
                        + " without the origin's authorization (servePeersWhenOriginUnreachable)", blob.registry(),
                        blob.repository(), blob.digest());
                then.accept(true);
                return;
            }
            boolean allowed = status >= 200 && status < 400;
            if (allowed) {
                cache.put(key, AuthorizationCache.Decision.ALLOWED);
            } else if (status == 401 || status == 403 || status == 404) {
                cache.put(key, AuthorizationCache.Decision.REFUSED);
            }
            if (!allowed) {
                LOG.info("p2p not authorized by origin status={} registry={} repository={} digest={}: passing the GET through",
                        status, blob.registry(), blob.repository(), blob.digest());
            }
            then.accept(allowed);
        });
    }

    /** Serves an authorized blob GET through the fetcher. */
    void serve(Channel channel, BlobRequest blob, boolean keepAlive, Consumer<BlobStreamer> started, Runnable onReady) {
        metrics.viaDfdaemon();
        BlobStreamer streamer = new BlobStreamer(channel, fetcher, blob, keepAlive, executor, metrics, onReady);
        started.accept(streamer);
        streamer.start();
    }

    /** Stops the fetch threads (interrupting reads still blocked); open fetches are closed with their connections. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private static Map<String, List<String>> originHeaders(HttpHeaders headers) {
        Map<String, List<String>> kept = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            String name = header.getKey();
            if (HopByHopHeaders.isHopByHop(name) || DragonflyHeaders.isDragonflyHeader(name)
                    || name.equalsIgnoreCase(HttpHeaderNames.RANGE.toString())
                    || name.equalsIgnoreCase(HttpHeaderNames.IF_RANGE.toString())) {
                continue;
            }
            kept.computeIfAbsent(name, n -> new ArrayList<>()).add(header.getValue());
        }
        return kept;
    }
}

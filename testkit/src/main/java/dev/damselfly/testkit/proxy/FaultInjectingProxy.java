package dev.damselfly.testkit.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.support.DaemonThreads;
import dev.damselfly.testkit.support.FreePorts;
import dev.damselfly.testkit.support.PlainHttpFront;
import dev.damselfly.testkit.support.ShutdownSafetyNet;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An HTTP reverse proxy in front of a registry, on its own free 127.0.0.1 port, with faults a test
 * adds at runtime. Like Go's server it answers a TLS ClientHello with a plain-HTTP 400 at once (see
 * {@link PlainHttpFront}), so clients that try HTTPS first fall back to HTTP without delay. Every method, header and body passes through (streamed, never buffered);
 * {@code Location} headers pointing at the registry are rewritten to the proxy's own address;
 * {@code WWW-Authenticate} is left untouched (so token realms still point at the token server).
 *
 * <p>Per request, rules are consulted in this order, each kind in the order the rules were added:
 * <ol>
 *   <li>the first matching {@link FaultRule.Kind#DELAY DELAY} rule sleeps;</li>
 *   <li>the first matching {@link FaultRule.Kind#FAIL FAIL} or {@link FaultRule.Kind#RESET RESET}
 *       rule answers instead of the registry;</li>
 *   <li>the first matching {@link FaultRule.Kind#REDIRECT_BLOBS REDIRECT_BLOBS} rule answers a blob
 *       GET/HEAD that the registry would serve (it is probed with HEAD first, so 401/404 still come
 *       from the registry) with 307 to the {@link #blobStorage() blob-storage endpoint};</li>
 *   <li>every matching {@link FaultRule.Kind#IGNORE_RANGE IGNORE_RANGE} rule strips Range;</li>
 *   <li>the first matching {@link FaultRule.Kind#TRUNCATE TRUNCATE} rule cuts the response.</li>
 * </ol>
 * A rule "matches" when its predicate accepts the request and it has uses left; only rules that
 * actually act consume a use and count a hit.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** Body of injected error responses (Distribution's error JSON shape). */
    static final String INJECTED_ERROR_BODY =
            "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected by damselfly FaultInjectingProxy\",\"detail\":null}]}";

    /** User-Agent of the HEAD probe sent to the registry before a blob redirect: {@value}. */
    public static final String PROBE_USER_AGENT = "damselfly-testkit-proxy-probe";

    private static final int BUFFER_SIZE = 64 * 1024;

    private final URI upstream;
    private final String upstreamPrefix;
    private final HttpServer http;
    private final PlainHttpFront front;
    private final ExecutorService executor;
    private final HttpClient client;
    private final BlobStorageServer blobStorage;
    private final List<FaultRule> rules = new CopyOnWriteArrayList<>();
    private final List<ProxyRequest> seen = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean closed;

    private FaultInjectingProxy(URI upstream) {
        this.upstream = upstream;
        String base = upstream.toString();
        this.upstreamPrefix = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.executor = DaemonThreads.cachedPool("damselfly-fault-proxy");
        try {
            this.http = HttpServer.create(FreePorts.ephemeralLoopback(), 0);
        } catch (IOException e) {
            throw new ProxyException("cannot bind the fault-injecting proxy on 127.0.0.1", e);
        }
        this.blobStorage = new BlobStorageServer(client);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
        this.front = PlainHttpFront.start(http.getAddress(), "damselfly-fault-proxy-front");
        ShutdownSafetyNet.register(this);
    }

    /**
     * @param upstream the registry base, e.g. {@code http://127.0.0.1:5000}
     * @return a started proxy (and blob-storage endpoint)
     */
    public static FaultInjectingProxy start(URI upstream) {
        return new FaultInjectingProxy(upstream);
    }

    /**
     * @param registry the registry to front
     * @return a started proxy for {@code registry.baseUri()}
     */
    public static FaultInjectingProxy start(RegistryServer registry) {
        return start(registry.baseUri());
    }

    /** @return {@code 127.0.0.1:PORT} of the proxy, the registry host clients should use */
    public String hostPort() {
        return "127.0.0.1:" + front.port();
    }

    /** @return {@code http://127.0.0.1:PORT} of the proxy */
    public URI baseUri() {
        return URI.create("http://" + hostPort());
    }

    /** @return the proxied registry base */
    public URI upstream() {
        return upstream;
    }

    /** @return the S3-like endpoint blob redirects point to */
    public BlobStorageServer blobStorage() {
        return blobStorage;
    }

    /**
     * Answers the next {@code times} matching requests with {@code status} (and a Distribution-style
     * JSON error body) without contacting the registry; the request body is read and discarded.
     *
     * @param times  how many requests, at least 1
     * @param status e.g. 500, 503, 429
     * @param when   which requests
     * @return the rule (hit counter, cancel)
     */
    public FaultRule failNext(int times, int status, Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.FAIL, when, times, status, null, 0));
    }

    /**
     * Like {@link #failNext(int, int, Predicate)} with a {@code Retry-After} header.
     *
     * @param times      how many requests, at least 1
     * @param status     e.g. 429 or 503
     * @param retryAfter sent as whole seconds ({@code Retry-After: N})
     * @param when       which requests
     * @return the rule
     */
    public FaultRule failNext(int times, int status, Duration retryAfter, Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.FAIL, when, times, status, retryAfter, 0));
    }

    /**
     * Closes the connection of the next {@code times} matching requests without any response.
     *
     * @param times how many requests, at least 1
     * @param when  which requests
     * @return the rule
     */
    public FaultRule resetConnectionNext(int times, Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.RESET, when, times, 0, null, 0));
    }

    /**
     * Passes the next {@code times} matching requests through but closes the connection after
     * {@code afterBytes} body bytes (headers announce the full Content-Length). Needs a response
     * with Content-Length (blob and manifest GETs have one); a chunked response is passed whole.
     *
     * @param times      how many requests, at least 1
     * @param afterBytes body bytes to send before cutting, at least 0
     * @param when       which requests
     * @return the rule
     */
    public FaultRule truncateResponseNext(int times, long afterBytes, Predicate<ProxyRequest> when) {
        if (afterBytes < 0) {
            throw new IllegalArgumentException("afterBytes must be >= 0, was " + afterBytes);
        }
        return add(new FaultRule(FaultRule.Kind.TRUNCATE, when, times, 0, null, afterBytes));
    }

    /**
     * Delays the next {@code times} matching requests before handling them.
     *
     * @param times how many requests, at least 1, or {@link FaultRule#UNLIMITED}
     * @param delay how long
     * @param when  which requests
     * @return the rule
     */
    public FaultRule delayNext(int times, Duration delay, Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.DELAY, when, times, 0, delay, 0));
    }

    /**
     * From now on strips {@code Range}/{@code If-Range} from matching requests, so the registry
     * answers 200 with the whole body. Applies until {@link FaultRule#cancel() cancelled}.
     *
     * @param when which requests (e.g. {@link ProxyRequest#blobGets()})
     * @return the rule; its hits count requests that actually carried a Range
     */
    public FaultRule ignoreRange(Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.IGNORE_RANGE, when.and(ProxyRequest.withRange()), FaultRule.UNLIMITED, 0, null, 0));
    }

    /**
     * From now on answers matching blob GET/HEAD requests with {@code 307 Temporary Redirect} to a
     * pre-signed URL on the {@link #blobStorage() blob-storage endpoint}, which rejects requests that
     * carry an Authorization header (400) like S3/GCS. Applies until cancelled. Each redirect costs
     * one HEAD to the registry (User-Agent {@value #PROBE_USER_AGENT}); the storage endpoint's
     * fetches carry {@value BlobStorageServer#USER_AGENT}: filter on these in access-log counts.
     *
     * @param when which requests; only blob GET/HEAD requests are ever redirected
     * @return the rule
     */
    public FaultRule redirectBlobs(Predicate<ProxyRequest> when) {
        return add(new FaultRule(FaultRule.Kind.REDIRECT_BLOBS, when.and(ProxyRequest.blobReads()), FaultRule.UNLIMITED, 307, null, 0));
    }

    /** @return {@link #redirectBlobs(Predicate)} for every blob GET/HEAD */
    public FaultRule redirectBlobs() {
        return redirectBlobs(ProxyRequest.any());
    }

    /** @return the rules added so far (including exhausted and cancelled ones) */
    public List<FaultRule> rules() {
        return List.copyOf(rules);
    }

    /** Removes every rule; requests pass through untouched from now on. */
    public void clearRules() {
        rules.forEach(FaultRule::cancel);
        rules.clear();
    }

    /** @return requests received since start or {@link #resetRequests()} */
    public long requestCount() {
        return seen.size();
    }

    /** @return the requests received, in arrival order */
    public List<ProxyRequest> requests() {
        return List.copyOf(seen);
    }

    /**
     * @param which which requests
     * @return how many received requests match
     */
    public long count(Predicate<ProxyRequest> which) {
        return seen.stream().filter(which).count();
    }

    /** Forgets the received requests. */
    public void resetRequests() {
        seen.clear();
    }

    /** Stops the proxy and the blob-storage endpoint. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        front.close();
        http.stop(0);
        blobStorage.close();
        executor.shutdownNow();
        ShutdownSafetyNet.unregister(this);
    }

    @Override
    public String toString() {
        return "FaultInjectingProxy[" + baseUri() + " -> " + upstream + "]";
    }

    private FaultRule add(FaultRule rule) {
        rules.add(rule);
        return rule;
    }

    private FaultRule first(FaultRule.Kind kind, ProxyRequest request) {
        for (FaultRule rule : rules) {
            if (rule.kind() == kind && rule.tryApply(request)) {
                return rule;
            }
        }
        return null;
    }

    private FaultRule firstFailOrReset(ProxyRequest request) {
        for (FaultRule rule : rules) {
            if ((rule.kind() == FaultRule.Kind.FAIL || rule.kind() == FaultRule.Kind.RESET) && rule.tryApply(request)) {
                return rule;
            }
        }
        return null;
    }

    private void handle(HttpExchange exchange) throws IOException {
        ProxyRequest request = describe(exchange);
        seen.add(request);
        try {
            FaultRule delay = first(FaultRule.Kind.DELAY, request);
            if (delay != null) {
                Thread.sleep(delay.duration().toMillis());
            }
            FaultRule fault = firstFailOrReset(request);
            if (fault != null && fault.kind() == FaultRule.Kind.RESET) {
                exchange.close(); // no response headers sent yet: the server closes the connection
                return;
            }
            if (fault != null) {
                fail(exchange, fault);
                return;
            }
            if (hasRule(FaultRule.Kind.REDIRECT_BLOBS) && redirect(exchange, request)) {
                return;
            }
            boolean stripRange = false;
            for (FaultRule rule : rules) {
                if (rule.kind() == FaultRule.Kind.IGNORE_RANGE && rule.tryApply(request)) {
                    stripRange = true;
                }
            }
            FaultRule truncate = first(FaultRule.Kind.TRUNCATE, request);
            forward(exchange, request, stripRange, truncate == null ? -1 : truncate.bytes());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (IOException e) {
            exchange.close();
        }
    }

    private boolean hasRule(FaultRule.Kind kind) {
        for (FaultRule rule : rules) {
            if (rule.kind() == kind && !rule.isExhausted()) {
                return true;
            }
        }
        return false;
    }

    private ProxyRequest describe(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        URI uri = exchange.getRequestURI();
        return new ProxyRequest(sequence.getAndIncrement(), exchange.getRequestMethod(), uri.getRawPath(),
                uri.getRawQuery() == null ? "" : uri.getRawQuery(), headers);
    }

    private void fail(HttpExchange exchange, FaultRule rule) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            if (rule.duration() != null) {
                exchange.getResponseHeaders().set("Retry-After", Long.toString(rule.duration().toSeconds()));
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            byte[] body = INJECTED_ERROR_BODY.getBytes(StandardCharsets.UTF_8);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
                exchange.sendResponseHeaders(rule.status(), -1);
                return;
            }
            exchange.sendResponseHeaders(rule.status(), body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** @return true when the request was answered with a redirect */
    private boolean redirect(HttpExchange exchange, ProxyRequest request) throws IOException, InterruptedException {
        if (!ProxyRequest.blobReads().test(request)) {
            return false;
        }
        URI blob = URI.create(upstreamPrefix + request.path());
        HttpRequest.Builder probe = HttpRequest.newBuilder(blob).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", PROBE_USER_AGENT);
        String authorization = request.header("authorization");
        if (authorization != null) {
            probe.header("Authorization", authorization);
        }
        int status = client.send(probe.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status != 200) {
            return false; // let the registry answer 401/404 itself
        }
        FaultRule rule = first(FaultRule.Kind.REDIRECT_BLOBS, request);
        if (rule == null) {
            return false;
        }
        URI target = blobStorage.sign(blob, request.blobDigest().orElseThrow(), authorization);
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            exchange.getResponseHeaders().set("Location", target.toString());
            exchange.getResponseHeaders().set("Docker-Distribution-Api-Version", "registry/2.0");
            exchange.sendResponseHeaders(rule.status(), -1);
        }
        return true;
    }

    private void forward(HttpExchange exchange, ProxyRequest request, boolean stripRange, long truncateAfter)
            throws IOException, InterruptedException {
        String target = upstreamPrefix + request.path() + (request.query().isEmpty() ? "" : "?" + request.query());
        HttpRequest.Builder out = HttpRequest.newBuilder(URI.create(target)).expectContinue(false);
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HttpHeaders.forwardable(lower) || (stripRange && (lower.equals("range") || lower.equals("if-range")))) {
                return;
            }
            for (String value : values) {
                try {
                    out.header(name, value);
                } catch (IllegalArgumentException restricted) {
                    // a header java.net.http manages itself
                }
            }
        });
        out.method(request.method(), bodyOf(exchange, request));
        HttpResponse<InputStream> response;
        try {
            response = client.send(out.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            badGateway(exchange, e);
            return;
        }
        relay(exchange, request, response, truncateAfter);
    }

    private static HttpRequest.BodyPublisher bodyOf(HttpExchange exchange, ProxyRequest request) {
        String contentLength = request.header("content-length");
        String transferEncoding = request.header("transfer-encoding");
        if (contentLength != null) {
            long length = Long.parseLong(contentLength.trim());
            if (length > 0) {
                return HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody), length);
            }
            return HttpRequest.BodyPublishers.noBody();
        }
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            return HttpRequest.BodyPublishers.ofInputStream(exchange::getRequestBody);
        }
        return HttpRequest.BodyPublishers.noBody();
    }

    private void relay(HttpExchange exchange, ProxyRequest request, HttpResponse<InputStream> response, long truncateAfter)
            throws IOException {
        try (InputStream body = response.body()) {
            var headers = exchange.getResponseHeaders();
            response.headers().map().forEach((name, values) -> {
                if (name.startsWith(":") || !HttpHeaders.forwardable(name)) {
                    return;
                }
                for (String value : values) {
                    headers.add(name, name.equalsIgnoreCase("location") ? rewriteLocation(value) : value);
                }
            });
            int status = response.statusCode();
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            boolean noBody = request.method().equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200);
            if (noBody) {
                if (length >= 0 && status != 204) {
                    headers.set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, length > 0 ? length : (length == 0 ? -1 : 0));
            OutputStream sink = exchange.getResponseBody();
            byte[] buffer = new byte[BUFFER_SIZE];
            long sent = 0;
            boolean cut = truncateAfter >= 0 && length > 0 && truncateAfter < length;
            int n;
            while ((n = body.read(buffer)) > 0) {
                if (cut && sent + n >= truncateAfter) {
                    sink.write(buffer, 0, (int) (truncateAfter - sent));
                    sink.flush();
                    exchange.close(); // fewer bytes than announced: the server drops the connection
                    return;
                }
                sink.write(buffer, 0, n);
                sent += n;
            }
            if (cut) {
                sink.flush();
            }
            exchange.close();
        }
    }

    private String rewriteLocation(String location) {
        if (location.startsWith(upstreamPrefix)) {
            return "http://" + hostPort() + location.substring(upstreamPrefix.length());
        }
        return location;
    }

    private static void badGateway(HttpExchange exchange, IOException cause) throws IOException {
        try (exchange) {
            byte[] body = ("{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"proxy cannot reach the registry: "
                    + cause.toString().replace("\"", "'") + "\"}]}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(502, body.length);
            exchange.getResponseBody().write(body);
        }
    }
}

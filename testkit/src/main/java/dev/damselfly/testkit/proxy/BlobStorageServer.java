package dev.damselfly.testkit.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.damselfly.testkit.support.DaemonThreads;
import dev.damselfly.testkit.support.FreePorts;
import dev.damselfly.testkit.support.QueryStrings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An S3/GCS-like blob download endpoint on its own loopback port, the target of the proxy's blob
 * redirects. A redirect URL is "pre-signed": {@code /blobs/DIGEST?X-Amz-Signature=ID&X-Amz-Expires=S},
 * where the ID stands for the registry blob URL and the Authorization the client had sent to the
 * registry. The endpoint then
 * <ul>
 *   <li>answers <b>400</b> (S3's {@code InvalidArgument}, "Only one auth mechanism allowed") to any
 *       request carrying an {@code Authorization} header, as S3 does for pre-signed URLs;</li>
 *   <li>answers 403 {@code AccessDenied} for unknown or expired signatures, 405 for methods other
 *       than GET/HEAD;</li>
 *   <li>otherwise streams the blob from the registry, passing {@code Range} through (206 with
 *       {@code Content-Range}), with {@code Content-Type: application/octet-stream} and an ETag, and
 *       without any Docker-specific header.</li>
 * </ul>
 */
public final class BlobStorageServer implements AutoCloseable {

    /** User-Agent of the endpoint's requests to the registry: {@value}. */
    public static final String USER_AGENT = "damselfly-testkit-blob-storage";
    /** Validity of a redirect URL: 300 s. */
    public static final Duration URL_VALIDITY = Duration.ofSeconds(300);

    private record Signed(URI registryBlob, String authorization, Instant expires) {
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final HttpClient upstream;
    private final Map<String, Signed> signatures = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rejectedAuthorization = new AtomicLong();
    private final AtomicLong rangeRequests = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();

    BlobStorageServer(HttpClient upstream) {
        this.upstream = upstream;
        this.executor = DaemonThreads.cachedPool("damselfly-blob-storage");
        try {
            this.http = HttpServer.create(FreePorts.ephemeralLoopback(), 0);
        } catch (IOException e) {
            throw new ProxyException("cannot bind the blob-storage endpoint on 127.0.0.1", e);
        }
        http.setExecutor(executor);
        http.createContext("/", this::handle);
        http.start();
    }

    /** @return {@code http://127.0.0.1:PORT} */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    /** @return requests received */
    public long requests() {
        return requests.get();
    }

    /** @return requests refused with 400 because they carried an Authorization header */
    public long rejectedAuthorization() {
        return rejectedAuthorization.get();
    }

    /** @return requests that carried a Range header (and were served) */
    public long rangeRequests() {
        return rangeRequests.get();
    }

    /** @return body bytes sent to clients */
    public long bytesServed() {
        return bytesServed.get();
    }

    /**
     * Creates a pre-signed URL for a registry blob.
     *
     * @param registryBlob  {@code http://registry/v2/NAME/blobs/DIGEST}
     * @param digest        the blob digest (appears in the path)
     * @param authorization the client's Authorization header for the registry, or {@code null}
     * @return the URL a client must fetch without credentials
     */
    URI sign(URI registryBlob, String digest, String authorization) {
        String id = UUID.randomUUID().toString().replace("-", "");
        signatures.put(id, new Signed(registryBlob, authorization, Instant.now().plus(URL_VALIDITY)));
        return baseUri().resolve("/blobs/" + digest + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires="
                + URL_VALIDITY.toSeconds() + "&X-Amz-Signature=" + id);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestHeaders().getFirst("Authorization") != null) {
                rejectedAuthorization.incrementAndGet();
                xmlError(exchange, 400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm"
                        + " query parameter, Signature query string parameter or the Authorization header should be specified");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                xmlError(exchange, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
                return;
            }
            String id = QueryStrings.first(QueryStrings.parse(exchange.getRequestURI().getRawQuery()), "X-Amz-Signature");
            Signed signed = id == null ? null : signatures.get(id);
            if (signed == null || Instant.now().isAfter(signed.expires())) {
                xmlError(exchange, 403, "AccessDenied", "Request has expired or the signature does not match");
                return;
            }
            serve(exchange, method, signed);
        }
    }

    private void serve(HttpExchange exchange, String method, Signed signed) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(signed.registryBlob())
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("User-Agent", USER_AGENT);
        if (signed.authorization() != null) {
            request.header("Authorization", signed.authorization());
        }
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null) {
            rangeRequests.incrementAndGet();
            request.header("Range", range);
        }
        HttpResponse<InputStream> response;
        try {
            response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            xmlError(exchange, 503, "SlowDown", "interrupted");
            return;
        } catch (IOException e) {
            xmlError(exchange, 503, "ServiceUnavailable", "origin unreachable: " + e.getMessage());
            return;
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status != 200 && status != 206 && status != 416) {
                xmlError(exchange, status == 404 ? 404 : 403, status == 404 ? "NoSuchKey" : "AccessDenied",
                        "origin answered " + status);
                return;
            }
            var out = exchange.getResponseHeaders();
            out.set("Content-Type", "application/octet-stream");
            out.set("Accept-Ranges", "bytes");
            String digest = exchange.getRequestURI().getPath().substring("/blobs/".length());
            out.set("ETag", "\"" + digest.substring(digest.indexOf(':') + 1) + "\"");
            response.headers().firstValue("Content-Range").ifPresent(v -> out.set("Content-Range", v));
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (method.equals("HEAD") || status == 416) {
                if (length >= 0) {
                    out.set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, length > 0 ? length : (length == 0 ? -1 : 0));
            OutputStream sink = exchange.getResponseBody();
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = body.read(buffer)) > 0) {
                sink.write(buffer, 0, n);
                bytesServed.addAndGet(n);
            }
            sink.close();
        }
    }

    private static void xmlError(HttpExchange exchange, int status, String code, String message) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops the endpoint. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}

package dev.damselfly.testkit.proxy;

import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.pushBlob;
import static dev.damselfly.testkit.TestHttp.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.TestHttp;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.Digests;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FaultInjectingProxyTest {

    private static final String REPO = "proxy/test";
    private static RegistryServer registry;
    private static FaultInjectingProxy proxy;
    private static byte[] blob;
    private static String digest;

    @BeforeAll
    static void start() {
        registry = RegistryServer.start();
        proxy = FaultInjectingProxy.start(registry);
        blob = DeterministicBytes.bytes(99, 3 * 1024 * 1024 + 5);
        digest = pushBlob(registry.baseUri(), REPO, blob, null);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        registry.close();
    }

    @AfterEach
    void clear() {
        proxy.clearRules();
    }

    private static URI blobUri() {
        return proxy.baseUri().resolve("/v2/" + REPO + "/blobs/" + digest);
    }

    @Test
    void passesGetAndHeadThroughWithHeaders() {
        HttpResponse<byte[]> r = get(blobUri());
        assertEquals(200, r.statusCode());
        assertArrayEquals(blob, r.body());
        assertEquals(digest, r.headers().firstValue("Docker-Content-Digest").orElseThrow());

        HttpResponse<byte[]> head = send("HEAD", blobUri(), null);
        assertEquals(200, head.statusCode());
        assertEquals(Long.toString(blob.length), head.headers().firstValue("Content-Length").orElseThrow(),
                "HEAD keeps the blob's Content-Length");
        assertEquals(0, head.body().length);

        HttpResponse<byte[]> range = get(blobUri(), "Range", "bytes=10-19");
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(blob, 10, 20), range.body());
        assertEquals("bytes 10-19/" + blob.length, range.headers().firstValue("Content-Range").orElseThrow());

        assertEquals(404, get(proxy.baseUri().resolve("/v2/" + REPO + "/blobs/" + Digests.sha256(new byte[] {0}))).statusCode());
        assertTrue(proxy.count(ProxyRequest.blobGets()) >= 3);
    }

    @Test
    void tlsClientHelloGetsAnImmediatePlainHttp400LikeGo() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.baseUri().getPort())) {
            socket.setSoTimeout(2000);
            socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00});
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.0 400 Bad Request"), answer);
        }
        assertEquals(200, get(proxy.baseUri().resolve("/v2/")).statusCode());
    }

    @Test
    void uploadsThroughTheProxyWithRewrittenLocations() {
        byte[] data = DeterministicBytes.bytes(3, 200_000);
        String d = Digests.sha256(data);
        HttpResponse<byte[]> start = send("POST", proxy.baseUri().resolve("/v2/proxy/upload/blobs/uploads/"), null);
        assertEquals(202, start.statusCode());
        String location = start.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith(proxy.baseUri().toString() + "/v2/proxy/upload/blobs/uploads/"), location);

        HttpResponse<byte[]> patch = send("PATCH", URI.create(location), Arrays.copyOf(data, 100_000),
                "Content-Type", "application/octet-stream");
        assertEquals(202, patch.statusCode(), TestHttp.text(patch));
        String next = patch.headers().firstValue("Location").orElseThrow();
        assertTrue(next.startsWith(proxy.baseUri().toString()), next);
        assertEquals("0-99999", patch.headers().firstValue("Range").orElseThrow());

        HttpResponse<byte[]> put = send("PUT", URI.create(next + "&digest=" + d), Arrays.copyOfRange(data, 100_000, data.length),
                "Content-Type", "application/octet-stream");
        assertEquals(201, put.statusCode(), TestHttp.text(put));
        assertTrue(put.headers().firstValue("Location").orElseThrow().startsWith(proxy.baseUri().toString()));
        assertArrayEquals(data, get(registry.baseUri().resolve("/v2/proxy/upload/blobs/" + d)).body());

        // streamed chunked request body (no Content-Length) also passes
        HttpResponse<byte[]> start2 = send("POST", proxy.baseUri().resolve("/v2/proxy/upload/blobs/uploads/"), null);
        URI upload2 = URI.create(start2.headers().firstValue("Location").orElseThrow());
        HttpRequest chunked = HttpRequest.newBuilder(upload2)
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new DeterministicBytes(3, 200_000)))
                .build();
        HttpResponse<byte[]> patched = sendRaw(chunked);
        assertEquals(202, patched.statusCode(), TestHttp.text(patched));
        String loc = patched.headers().firstValue("Location").orElseThrow();
        assertEquals(201, send("PUT", URI.create(loc + "&digest=" + d), null).statusCode());
    }

    @Test
    void failNextAnswersErrorsWithRetryAfterThenPasses() {
        FaultRule rule = proxy.failNext(2, 503, Duration.ofSeconds(7), ProxyRequest.blobGets());
        AccessLog.Mark mark = registry.accessLog().mark();
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = get(blobUri());
            assertEquals(503, r.statusCode());
            assertEquals("7", r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(TestHttp.text(r).contains("UNAVAILABLE"));
        }
        assertEquals(200, get(blobUri()).statusCode());
        assertEquals(2, rule.hits());
        assertTrue(rule.isExhausted());
        registry.accessLog().sync();
        assertEquals(1, registry.accessLog().since(mark).count(AccessLogEntry::isBlobGet), "faults never reach the registry");

        FaultRule throttled = proxy.failNext(1, 429, ProxyRequest.method("HEAD"));
        assertEquals(200, get(blobUri()).statusCode(), "GET does not match");
        assertEquals(429, send("HEAD", blobUri(), null).statusCode());
        assertEquals(1, throttled.hits());
    }

    @Test
    void resetConnectionClosesWithoutResponse() throws Exception {
        FaultRule rule = proxy.resetConnectionNext(1, ProxyRequest.blobGets());
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.baseUri().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + blobUri().getRawPath() + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(-1, socket.getInputStream().read(), "connection closed without a single response byte");
        }
        assertEquals(1, rule.hits());
        assertEquals(200, get(blobUri()).statusCode());

        // java.net.http retries an idempotent request once on a fresh connection; two resets defeat that
        FaultRule twice = proxy.resetConnectionNext(2, ProxyRequest.blobGets());
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> get(blobUri()));
        assertTrue(e.getCause() instanceof IOException);
        assertEquals(2, twice.hits());
        assertEquals(200, get(blobUri()).statusCode());
    }

    @Test
    void truncatedResponseEndsEarly() throws Exception {
        proxy.truncateResponseNext(1, 1000, ProxyRequest.blobGets());
        HttpResponse<InputStream> r = TestHttp.CLIENT.send(HttpRequest.newBuilder(blobUri()).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(Long.toString(blob.length), r.headers().firstValue("Content-Length").orElseThrow());
        byte[] got = new byte[blob.length];
        int total = 0;
        try (InputStream in = r.body()) {
            int n;
            while ((n = in.read(got, total, got.length - total)) > 0) {
                total += n;
            }
            throw new AssertionError("expected a premature end, read " + total);
        } catch (IOException expected) {
            assertEquals(1000, total);
            assertArrayEquals(Arrays.copyOf(blob, 1000), Arrays.copyOf(got, 1000));
        }
        assertArrayEquals(blob, get(blobUri()).body());
    }

    @Test
    void ignoreRangeMakesTheRegistryAnswerTheWholeBlob() {
        FaultRule rule = proxy.ignoreRange(ProxyRequest.blobGets());
        HttpResponse<byte[]> r = get(blobUri(), "Range", "bytes=0-9");
        assertEquals(200, r.statusCode());
        assertEquals(blob.length, r.body().length);
        get(blobUri());
        assertEquals(1, rule.hits(), "only requests with a Range count");
        rule.cancel();
        assertEquals(206, get(blobUri(), "Range", "bytes=0-9").statusCode());
    }

    @Test
    void delayNextSlowsRequests() {
        proxy.delayNext(1, Duration.ofMillis(300), ProxyRequest.blobGets());
        long start = System.nanoTime();
        assertEquals(200, get(blobUri()).statusCode());
        assertTrue(System.nanoTime() - start >= 300_000_000L);
    }

    @Test
    void redirectsBlobsToStorageThatRejectsAuthorization() {
        FaultRule rule = proxy.redirectBlobs();
        BlobStorageServer storage = proxy.blobStorage();
        long before = storage.requests();
        AccessLog.Mark mark = registry.accessLog().mark();

        HttpResponse<byte[]> r = get(blobUri());
        assertEquals(307, r.statusCode());
        URI target = URI.create(r.headers().firstValue("Location").orElseThrow());
        assertEquals(storage.baseUri().getPort(), target.getPort());

        HttpResponse<byte[]> withAuth = get(target, "Authorization", "Bearer abc");
        assertEquals(400, withAuth.statusCode());
        assertTrue(TestHttp.text(withAuth).contains("InvalidArgument"));

        HttpResponse<byte[]> plain = get(target);
        assertEquals(200, plain.statusCode());
        assertArrayEquals(blob, plain.body());
        assertEquals("application/octet-stream", plain.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(plain.headers().firstValue("Docker-Content-Digest").isEmpty());

        HttpResponse<byte[]> ranged = get(target, "Range", "bytes=1048576-1048585");
        assertEquals(206, ranged.statusCode());
        assertArrayEquals(Arrays.copyOfRange(blob, 1048576, 1048586), ranged.body());
        assertEquals("bytes 1048576-1048585/" + blob.length, ranged.headers().firstValue("Content-Range").orElseThrow());

        HttpResponse<byte[]> head = send("HEAD", target, null);
        assertEquals(200, head.statusCode());
        assertEquals(Long.toString(blob.length), head.headers().firstValue("Content-Length").orElseThrow());

        assertEquals(403, get(storage.baseUri().resolve("/blobs/" + digest + "?X-Amz-Signature=forged")).statusCode());
        assertEquals(404, get(proxy.baseUri().resolve("/v2/" + REPO + "/blobs/" + Digests.sha256(new byte[] {1}))).statusCode(),
                "unknown blobs are answered by the registry, not redirected");
        assertEquals(1, rule.hits());
        assertEquals(5, storage.requests() - before);
        assertTrue(storage.rejectedAuthorization() >= 1);
        assertTrue(storage.bytesServed() >= blob.length + 10);
        assertEquals(307, send("HEAD", blobUri(), null).statusCode(), "HEAD is redirected too");
        assertEquals(2, rule.hits());
        registry.accessLog().sync();
        var seen = registry.accessLog().since(mark);
        assertEquals(3, seen.count(e -> e.userAgent().equals(FaultInjectingProxy.PROBE_USER_AGENT)), seen.toString());
        assertEquals(3, seen.count(e -> e.userAgent().equals(BlobStorageServer.USER_AGENT)), seen.toString());
        assertEquals(blob.length + 10, seen.bytesServed(e -> e.isBlobGet() && e.userAgent().equals(BlobStorageServer.USER_AGENT)));
    }

    private static HttpResponse<byte[]> sendRaw(HttpRequest request) {
        try {
            return TestHttp.CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

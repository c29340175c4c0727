package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Uploads through the proxy: the registry's blob upload protocol (POST, PATCH with Content-Length, chunked and
 * {@code Expect: 100-continue}, PUT ?digest=), manifest PUT and DELETE, in mirror and forward-proxy mode, against a
 * real docker-registry with and without Basic auth; and, against a raw socket origin, that bodies stream (the origin
 * has data before the client finished), are paced by the origin, and that failures on either side end both connections.
 */
class UploadPassThroughTest {
    private static final String USER = "push-user";
    private static final String PASSWORD = "push-password";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final int MIB = 1024 * 1024;

    private static RegistryServer open;
    private static RegistryServer secured;
    private static RawUpstream raw;
    private static ProxyServer proxy;
    private static HttpClient direct;
    private static HttpClient forward;

    @BeforeAll
    static void start() throws IOException {
        open = RegistryServer.start();
        secured = RegistryServer.start(RegistryAuth.htpasswd(USER, PASSWORD));
        raw = new RawUpstream();
        proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(
                        new RegistryUpstream(open.hostPort(), URI.create("http://" + open.hostPort())),
                        new RegistryUpstream(secured.hostPort(), URI.create("http://" + secured.hostPort())),
                        new RegistryUpstream(raw.hostPort(), URI.create("http://" + raw.hostPort()))))
                .upstreamTimeout(Duration.ofSeconds(5))
                .build());
        direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(proxy.address())).build();
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (raw != null) {
            raw.close();
        }
        if (secured != null) {
            secured.close();
        }
        if (open != null) {
            open.close();
        }
    }

    /** Mirror mode: any registry URL becomes the same path and query on the proxy, plus {@code ns=}. */
    private static UnaryOperator<URI> mirrorOf(RegistryServer registry) {
        return uri -> {
            String query = uri.getRawQuery();
            return URI.create("http://" + proxy.hostPort() + uri.getRawPath() + "?" + (query == null ? "" : query + "&")
                    + "ns=" + registry.hostPort());
        };
    }

    private static HttpRequest.Builder request(URI uri, String authorization) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return builder;
    }

    /**
     * Pushes {@code blob} with the upload protocol: POST, PATCH (Content-Length, with Expect: 100-continue), PATCH
     * (chunked), PUT ?digest= with the last part, each following the previous Location through {@code route}.
     */
    private static void pushBlob(HttpClient client, RegistryServer registry, UnaryOperator<URI> route, String repo, byte[] blob,
            String authorization) throws Exception {
        URI base = URI.create("http://" + registry.hostPort());
        HttpResponse<String> started = client.send(request(route.apply(base.resolve("/v2/" + repo + "/blobs/uploads/")), authorization)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode(), started.body());
        int first = 2 * MIB + 5;
        int second = first + 3 * MIB;
        URI location = base.resolve(started.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> patched = client.send(request(route.apply(location), authorization).expectContinue(true)
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 0, first))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, patched.statusCode(), patched.body());
        assertEquals("0-" + (first - 1), patched.headers().firstValue("Range").orElse(""));
        location = base.resolve(patched.headers().firstValue("Location").orElseThrow());
        // ofInputStream has no known length: the JDK client sends it chunked.
        HttpResponse<String> chunked = client.send(request(route.apply(location), authorization)
                .header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(blob, first, second - first))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, chunked.statusCode(), chunked.body());
        assertEquals("0-" + (second - 1), chunked.headers().firstValue("Range").orElse(""));
        location = base.resolve(chunked.headers().firstValue("Location").orElseThrow());
        URI put = URI.create(location + (location.getRawQuery() == null ? "?" : "&") + "digest=" + Digest.sha256(blob));
        HttpResponse<String> done = client.send(request(route.apply(put), authorization)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, second, blob.length))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, done.statusCode(), done.body());
        assertEquals(Digest.sha256(blob).toString(), done.headers().firstValue("Docker-Content-Digest").orElse(""));
    }

    private static byte[] getDirect(RegistryServer registry, String path, String authorization, int status) throws Exception {
        HttpResponse<byte[]> response = direct.send(request(URI.create("http://" + registry.hostPort() + path), authorization)
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(status, response.statusCode(), path);
        return response.body();
    }

    @Test
    void blobPushedThroughTheMirrorArrivesWhole() throws Exception {
        byte[] blob = DeterministicBytes.bytes(11, 7 * MIB + 333);
        pushBlob(direct, open, mirrorOf(open), "up/mirror", blob, null);
        assertArrayEquals(blob, getDirect(open, "/v2/up/mirror/blobs/" + Digest.sha256(blob), null, 200));
    }

    @Test
    void blobPushedThroughTheForwardProxyArrivesWhole() throws Exception {
        byte[] blob = DeterministicBytes.bytes(12, 6 * MIB + 1);
        pushBlob(forward, open, UnaryOperator.identity(), "up/forward", blob, null);
        assertArrayEquals(blob, getDirect(open, "/v2/up/forward/blobs/" + Digest.sha256(blob), null, 200));
    }

    @Test
    void manifestPutThroughTheMirrorThenDeleteThroughIt() throws Exception {
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        Digest configDigest = Digest.sha256(config);
        // A POST carrying a body (this docker-registry starts a session and ignores it), then the whole blob in the PUT.
        HttpResponse<String> posted = direct.send(request(mirrorOf(open).apply(URI.create("http://" + open.hostPort()
                        + "/v2/up/manifest/blobs/uploads/?digest=" + configDigest)), null)
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(config)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, posted.statusCode(), posted.body());
        URI location = URI.create("http://" + open.hostPort()).resolve(posted.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> monolithic = direct.send(request(mirrorOf(open).apply(URI.create(location + "&digest=" + configDigest)), null)
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(config)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, monolithic.statusCode(), monolithic.body());
        assertArrayEquals(config, getDirect(open, "/v2/up/manifest/blobs/" + configDigest, null, 200));
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + configDigest + "\",\"size\":" + config.length
                + "},\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> put = direct.send(request(mirrorOf(open).apply(URI.create("http://" + open.hostPort()
                        + "/v2/up/manifest/manifests/v1")), null)
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json").PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, put.statusCode(), put.body());
        assertArrayEquals(manifest, getDirect(open, "/v2/up/manifest/manifests/v1", null, 200));
        HttpResponse<String> deleted = direct.send(request(mirrorOf(open).apply(URI.create("http://" + open.hostPort()
                        + "/v2/up/manifest/manifests/" + Digest.sha256(manifest))), null).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, deleted.statusCode(), deleted.body());
        getDirect(open, "/v2/up/manifest/manifests/v1", null, 404);
    }

    @Test
    void pushToAnAuthenticatedRegistryReplaysTheChallengeAndPassesCredentials() throws Exception {
        HttpResponse<String> challenge = direct.send(request(mirrorOf(secured).apply(URI.create("http://" + secured.hostPort()
                        + "/v2/up/secret/blobs/uploads/")), null).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, challenge.statusCode());
        assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="), challenge.headers().toString());
        assertEquals("backend", challenge.headers().firstValue("X-Dragonfly-Error-Type").orElse(""));
        // Expect: 100-continue is relayed: the registry refuses at once, the client never sends its 10 MiB body, and the
        // connection ends after the answer since the proxy cannot know whether a body follows.
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send("POST /v2/up/secret/blobs/uploads/?ns=" + secured.hostPort() + " HTTP/1.1\r\nHost: x\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + 10 * MIB + "\r\n\r\n");
            client.readHead();
            assertEquals(401, client.status(), client.statusLine);
            assertEquals("close", client.headers.get("Connection"));
            client.readExactly((int) client.contentLength());
            RawHttpClient.Outcome rest = client.readToEnd();
            assertEquals(0, rest.body().length);
        }
        byte[] blob = DeterministicBytes.bytes(13, 5 * MIB + 77);
        pushBlob(direct, secured, mirrorOf(secured), "up/secret", blob, BASIC);
        assertArrayEquals(blob, getDirect(secured, "/v2/up/secret/blobs/" + Digest.sha256(blob), BASIC, 200));
    }

    @Test
    void uploadsToUnlistedRegistriesAre403BeforeAnyByteGoesUpstream() throws Exception {
        try (RawUpstream unlisted = new RawUpstream()) {
            HttpResponse<String> refused = direct.send(HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort()
                            + "/v2/x/blobs/uploads/?ns=" + unlisted.hostPort())).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[3 * MIB])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, refused.statusCode());
            assertEquals("proxy", refused.headers().firstValue("X-Dragonfly-Error-Type").orElse(""));
            HttpResponse<String> forwarded = forward.send(HttpRequest.newBuilder(URI.create("http://" + unlisted.hostPort() + "/v2/x/blobs/uploads/"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(403, forwarded.statusCode());
            assertEquals(0, unlisted.accepted.get(), "the proxy never connected to an unlisted origin");
        }
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send("TRACE /v2/?ns=" + open.hostPort() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            client.readHead();
            assertEquals(405, client.status());
        }
    }

    /** A raw upload of {@code length} declared bytes; returns the socket with the head sent. */
    private static Socket startRawUpload(long length) throws IOException {
        Socket socket = new Socket();
        socket.setSendBufferSize(64 * 1024);
        socket.connect(proxy.address());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("PUT /v2/raw/blobs/uploads/u1?ns=" + raw.hostPort() + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: " + BASIC + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return socket;
    }

    @Test
    void bodyStreamsToTheOriginAndAClientLeavingMidBodyClosesTheUpstream() throws Exception {
        raw.expect(RawUpstream.Mode.COUNT, 0);
        try (Socket socket = startRawUpload(64L * MIB)) {
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[MIB];
            for (int i = 0; i < 8; i++) {
                out.write(chunk);
            }
            out.flush();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (raw.bodyBytes.get() < 4L * MIB && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(raw.bodyBytes.get() >= 4L * MIB, "the origin had " + raw.bodyBytes.get() + " body bytes while the client was still sending");
            assertTrue(raw.head.contains("Authorization: " + BASIC), "credentials pass through: " + raw.head.replace(BASIC, "<basic>"));
            assertTrue(raw.head.toLowerCase().contains("content-length: " + 64L * MIB), "framing kept");
        }
        assertTrue(raw.awaitConnectionEnd(10_000), "the proxy closed its upstream connection after the client left mid-body");
        assertTrue(raw.bodyBytes.get() < 64L * MIB);
    }

    @Test
    void anOriginThatStopsReadingStopsTheClientTooWithBoundedBuffering() throws Exception {
        raw.expect(RawUpstream.Mode.STALL, 0);
        AtomicLong written = new AtomicLong();
        try (Socket socket = startRawUpload(1024L * MIB)) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = socket.getOutputStream();
                    while (written.get() < 1024L * MIB) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the socket closed under the writer at the end of the test
                }
            }, "stalled-upload-writer");
            writer.setDaemon(true);
            writer.start();
            long last = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
                long now = written.get();
                if (now == last) {
                    break;
                }
                last = now;
            }
            // Only socket buffers (client, proxy in and out, origin) plus the relay's high-water mark hold data.
            System.out.println("stalled origin: the client could write " + written.get() + " bytes of a 1 GiB body");
            assertTrue(written.get() < 64L * MIB, "the client could write " + written.get() + " bytes while the origin read nothing");
            assertTrue(writer.isAlive(), "the writer is blocked, not finished");
        } finally {
            raw.releaseStall();
        }
        assertTrue(raw.awaitConnectionEnd(10_000));
    }

    @Test
    void anOriginThatFailsMidBodyIs502() throws Exception {
        raw.expect(RawUpstream.Mode.RESET, MIB);
        try (Socket socket = startRawUpload(16L * MIB)) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = socket.getOutputStream();
                    for (int i = 0; i < 256; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // the proxy ends the connection after its 502
                }
            }, "failing-upload-writer");
            writer.setDaemon(true);
            writer.start();
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = socket.getInputStream().read()) >= 0 && !head.toString().endsWith("\r\n\r\n")) {
                head.append((char) b);
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 502"), head.toString());
            assertTrue(head.toString().toLowerCase().contains("connection: close"), head.toString());
        }
    }
}

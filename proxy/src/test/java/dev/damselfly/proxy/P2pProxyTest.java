package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.proxy.p2p.BlobRequest;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The P2P path against a real registry with Basic auth: blob GETs served by a {@link BlobFetcher} stand-in,
 * ranges, the origin authorization check and its cache, streaming, aborts, disconnects, backpressure,
 * Dragonfly headers and metrics.
 */
class P2pProxyTest {
    private static final String USER = "p2p-user";
    private static final String PASSWORD = "p2p-password";
    private static final String SECOND = "second-user";
    private static final String SECOND_PASSWORD = "second-password";
    private static final String BASIC = basic(USER, PASSWORD);

    private static RegistryServer registry;
    private static RegistryClient origin;
    private static RegistryBlobFetcher fetcher;
    private static SimpleMeterRegistry meters;
    private static ProxyServer proxy;
    private static HttpClient http;
    private static byte[] blob;
    private static Digest blobDigest;
    private static byte[] big;
    private static Digest bigDigest;
    private static Digest otherDigest;
    private static ManifestDocument manifest;

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryServer.start(RegistryAuth.htpasswd(Map.of(USER, PASSWORD, SECOND, SECOND_PASSWORD)));
        origin = RegistryClient.create(RegistryClientConfig.builder()
                .credentials(CredentialProvider.of(registry.hostPort(), Credentials.basic(USER, PASSWORD))).build());
        blob = DeterministicBytes.bytes(11, 5 * 1024 * 1024 + 17);
        blobDigest = Digest.sha256(blob);
        big = DeterministicBytes.bytes(12, 24 * 1024 * 1024 + 5);
        bigDigest = Digest.sha256(big);
        byte[] other = DeterministicBytes.bytes(13, 1024 * 1024 + 3);
        otherDigest = Digest.sha256(other);
        ImageReference app = ImageReference.parse(registry.hostPort() + "/private/app:v1");
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        origin.pushBlob(app, Digest.sha256(config), config.length, new ByteArrayInputStream(config), n -> { });
        origin.pushBlob(app, blobDigest, blob.length, new ByteArrayInputStream(blob), n -> { });
        origin.pushBlob(app, bigDigest, big.length, new ByteArrayInputStream(big), n -> { });
        origin.pushBlob(ImageReference.parse(registry.hostPort() + "/private/other:v1"), otherDigest, other.length,
                new ByteArrayInputStream(other), n -> { });
        manifest = ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_TAR, blobDigest, blob.length)), null, null));
        origin.pushManifest(app, manifest);
        fetcher = new RegistryBlobFetcher(origin, registry.hostPort());
        meters = new SimpleMeterRegistry();
        proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort()))))
                .upstreamTimeout(Duration.ofSeconds(5))
                .blobFetcher(fetcher)
                .meterRegistry(meters)
                .fetchThreads(4)
                .build());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @BeforeEach
    void normalFetcher() {
        fetcher.behave(RegistryBlobFetcher.Behaviour.normal());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String blobPath(String repository, Digest digest) {
        return "/v2/" + repository + "/blobs/" + digest;
    }

    private static URI mirror(String path) {
        return URI.create("http://" + proxy.hostPort() + path + (path.contains("?") ? "&" : "?") + "ns=" + registry.hostPort());
    }

    private static HttpResponse<byte[]> get(URI uri, String... headers) throws Exception {
        return send("GET", uri, headers);
    }

    private static HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse("");
    }

    private static double count(String meter) {
        return meters.get(meter).counter().count();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static String rawGet(String path, String... extraHeaders) {
        StringBuilder request = new StringBuilder("GET " + path + "?ns=" + registry.hostPort() + " HTTP/1.1\r\nHost: x\r\n"
                + "Authorization: " + BASIC + "\r\n");
        for (int i = 0; i < extraHeaders.length; i += 2) {
            request.append(extraHeaders[i]).append(": ").append(extraHeaders[i + 1]).append("\r\n");
        }
        return request.append("\r\n").toString();
    }

    /** A blob GET whose fetch fails midway: a 200 head, a correct but short body, then a reset (never a clean end). */
    private static void assertBodyCutByAReset() throws IOException {
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send(rawGet(blobPath("private/app", blobDigest)));
            client.readHead();
            assertEquals(200, client.status());
            RawHttpClient.Outcome outcome = client.readToEnd();
            assertTrue(outcome.body().length < client.contentLength(), "the body is short: " + outcome.body().length);
            assertTrue(outcome.reset(), "and the connection was reset, not ended cleanly");
            assertArrayEquals(Arrays.copyOf(blob, outcome.body().length), outcome.body(), "what arrived is correct");
        }
    }

    @Test
    void matchingBlobGetsAreServedByTheFetcherWithDragonflyHeaders() throws Exception {
        int opens = fetcher.opens.get();
        double via = count(ProxyMetrics.REQUEST_VIA_DFDAEMON_TOTAL);
        HttpResponse<byte[]> first = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC);
        assertEquals(200, first.statusCode());
        assertEquals(blobDigest, Digest.sha256(first.body()));
        assertEquals(String.valueOf(blob.length), header(first, "Content-Length"));
        assertEquals("application/octet-stream", header(first, "Content-Type"));
        assertEquals(blobDigest.toString(), header(first, "Docker-Content-Digest"));
        assertEquals(blobDigest.hex(), header(first, "X-Dragonfly-Task-ID"));
        assertEquals(opens + 1, fetcher.opens.get(), "served through the fetcher");
        assertEquals(via + 1, count(ProxyMetrics.REQUEST_VIA_DFDAEMON_TOTAL));

        registry.accessLog().sync();
        AccessLog.Mark mark = registry.accessLog().mark();
        HttpResponse<byte[]> again = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC);
        assertEquals(200, again.statusCode());
        assertArrayEquals(blob, again.body());
        assertEquals("true", header(again, "X-Dragonfly-Task-Download-Finished"), "a full local hit says so");
        registry.accessLog().sync();
        assertEquals(0, registry.accessLog().since(mark).count(e -> e.isBlobGet()),
                "the second GET never reached the registry: " + registry.accessLog().since(mark));
        await(() -> fetcher.closes.get() == fetcher.opens.get(), "every fetch closed");
    }

    @Test
    void manifestsHeadsAndUnmatchedRequestsPassThrough() throws Exception {
        int opens = fetcher.opens.get();
        HttpResponse<byte[]> m = get(mirror("/v2/private/app/manifests/v1"), "Authorization", BASIC, "Accept", MediaTypes.OCI_MANIFEST);
        assertEquals(200, m.statusCode());
        assertArrayEquals(manifest.bytes(), m.body());
        HttpResponse<byte[]> head = send("HEAD", mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC);
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(blob.length), header(head, "Content-Length"));
        assertEquals("", header(head, "X-Dragonfly-Task-ID"), "HEAD is answered by the registry itself");
        assertEquals(200, get(mirror("/v2/"), "Authorization", BASIC).statusCode());
        HttpResponse<byte[]> tags = get(mirror("/v2/private/app/tags/list"), "Authorization", BASIC);
        assertEquals(200, tags.statusCode());
        assertTrue(new String(tags.body(), StandardCharsets.UTF_8).contains("v1"));
        assertEquals(opens, fetcher.opens.get(), "none of these reached the fetcher");
    }

    @Test
    void rangesShapedLikeNydusdReadsAreExact206Bodies() throws Exception {
        long length = blob.length;
        long[][] ranges = {
                {0, 0}, {length - 1, length - 1}, {0, 1024 * 1024 - 1}, {1024 * 1024, 2 * 1024 * 1024 - 1},
                {4 * 1024 * 1024 + 123, 4 * 1024 * 1024 + 123 + 65535}, {length - 4096, length - 1}, {0, length - 1}};
        for (long[] r : ranges) {
            HttpResponse<byte[]> part = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                    "Range", "bytes=" + r[0] + "-" + r[1]);
            assertEquals(206, part.statusCode(), Arrays.toString(r));
            assertEquals("bytes " + r[0] + "-" + r[1] + "/" + length, header(part, "Content-Range"));
            assertEquals(String.valueOf(r[1] - r[0] + 1), header(part, "Content-Length"));
            assertArrayEquals(Arrays.copyOfRange(blob, (int) r[0], (int) r[1] + 1), part.body(), Arrays.toString(r));
            assertEquals(blobDigest.hex(), header(part, "X-Dragonfly-Task-ID"));
        }
        HttpResponse<byte[]> open = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "Range", "bytes=5000000-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(blob, 5000000, blob.length), open.body());
        HttpResponse<byte[]> suffix = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "Range", "bytes=-100");
        assertEquals("bytes " + (length - 100) + "-" + (length - 1) + "/" + length, header(suffix, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, blob.length - 100, blob.length), suffix.body());
        HttpResponse<byte[]> pastEnd = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                "Range", "bytes=" + (length - 10) + "-" + (length + 1000));
        assertEquals("bytes " + (length - 10) + "-" + (length - 1) + "/" + length, header(pastEnd, "Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(blob, blob.length - 10, blob.length), pastEnd.body());
        assertTrue(fetcher.requests.stream().anyMatch(r -> r.range().isPresent()), "the fetcher sees the requested range");
    }

    @Test
    void unsatisfiableAndMultipleRangesAreRefused() throws Exception {
        HttpResponse<byte[]> outside = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                "Range", "bytes=" + blob.length + "-");
        assertEquals(416, outside.statusCode());
        assertEquals("bytes */" + blob.length, header(outside, "Content-Range"));
        int opens = fetcher.opens.get();
        HttpResponse<byte[]> multi = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "Range", "bytes=0-1,5-6");
        assertEquals(400, multi.statusCode());
        assertEquals("proxy", header(multi, "X-Dragonfly-Error-Type"));
        assertTrue(new String(multi.body(), StandardCharsets.UTF_8).contains("multiple byte ranges"), new String(multi.body()));
        assertEquals(400, get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "Range", "bytes=9-3").statusCode());
        assertEquals(opens, fetcher.opens.get(), "refused before the fetcher");
        await(() -> fetcher.closes.get() == fetcher.opens.get(), "the fetch of the 416 closed");
    }

    @Test
    void aClientTheRegistryRefusesNeverGetsACachedBlob() throws Exception {
        assertEquals(200, get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC).statusCode());
        assertTrue(fetcher.has(blobDigest), "the node holds the blob");
        int opens = fetcher.opens.get();

        HttpResponse<byte[]> anonymous = get(mirror(blobPath("private/app", blobDigest)));
        assertEquals(401, anonymous.statusCode());
        assertTrue(header(anonymous, "WWW-Authenticate").startsWith("Basic realm="), anonymous.headers().toString());
        assertEquals("backend", header(anonymous, "X-Dragonfly-Error-Type"));
        assertFalse(Arrays.equals(blob, anonymous.body()));
        HttpResponse<byte[]> anonymousAgain = get(mirror(blobPath("private/app", blobDigest)), "Range", "bytes=0-99");
        assertEquals(401, anonymousAgain.statusCode(), "the remembered refusal still gets the registry's answer");

        HttpResponse<byte[]> wrongPassword = get(mirror(blobPath("private/app", blobDigest)), "Authorization", basic(USER, "guess"));
        assertEquals(401, wrongPassword.statusCode());
        assertTrue(header(wrongPassword, "WWW-Authenticate").startsWith("Basic realm="));

        // The same digest named under a repository that does not hold it: the registry says 404, so do we.
        HttpResponse<byte[]> elsewhere = get(mirror(blobPath("private/other", blobDigest)), "Authorization", BASIC);
        assertEquals(404, elsewhere.statusCode());
        assertEquals("backend", header(elsewhere, "X-Dragonfly-Error-Type"));
        assertEquals(opens, fetcher.opens.get(), "the fetcher was never asked for a refused client");

        HttpResponse<byte[]> authorised = get(mirror(blobPath("private/other", otherDigest)), "Authorization", BASIC);
        assertEquals(200, authorised.statusCode());
        assertEquals(otherDigest, Digest.sha256(authorised.body()));
        assertEquals(opens + 1, fetcher.opens.get());
    }

    @Test
    void theAuthorizationAnswerIsReusedWithinItsLifetime() throws Exception {
        String second = basic(SECOND, SECOND_PASSWORD);
        registry.accessLog().sync();
        AccessLog.Mark mark = registry.accessLog().mark();
        for (String range : new String[] {"bytes=0-4095", "bytes=4096-8191", "bytes=-10"}) {
            HttpResponse<byte[]> part = get(mirror(blobPath("private/app", blobDigest)), "Authorization", second, "Range", range);
            assertEquals(206, part.statusCode());
        }
        registry.accessLog().sync();
        long heads = registry.accessLog().since(mark).count(e -> e.method().equals("HEAD")
                && e.path().equals(blobPath("private/app", blobDigest)));
        assertEquals(1, heads, "one origin HEAD for three GETs: " + registry.accessLog().since(mark));
    }

    @Test
    void aFetcherFailingBeforeTheFirstByteIsA502AndMidwayResetsTheConnection() throws Exception {
        fetcher.behave(RegistryBlobFetcher.Behaviour.failAfter(0));
        HttpResponse<byte[]> early = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC);
        assertEquals(502, early.statusCode());
        assertEquals("dfdaemon", header(early, "X-Dragonfly-Error-Type"));
        assertTrue(new String(early.body(), StandardCharsets.UTF_8).contains("no parent has piece 0"), new String(early.body()));

        double failures = count(ProxyMetrics.REQUEST_FAILURE_TOTAL);
        fetcher.behave(RegistryBlobFetcher.Behaviour.failAfter(1024 * 1024 + 7));
        assertBodyCutByAReset();
        assertThrows(IOException.class, () -> get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC),
                "an ordinary HTTP client sees an error, not a short blob");
        assertTrue(count(ProxyMetrics.REQUEST_FAILURE_TOTAL) >= failures + 2);
        await(() -> fetcher.closes.get() == fetcher.opens.get(), "failed fetches closed");
    }

    @Test
    void aFetchOfferingFilesIsSentZeroCopyWithExactBodiesAndReleasesEveryRegion() throws Exception {
        fetcher.behave(RegistryBlobFetcher.Behaviour.normal().withFiles());
        get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC); // the blob is in the fetcher's store
        int handedOut = fetcher.regionsHandedOut.get();
        long length = blob.length;
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            for (int round = 0; round < 2; round++) { // the kept-alive connection serves a second response after the first
                client.send(rawGet(blobPath("private/app", blobDigest)));
                client.readHead();
                assertEquals(200, client.status());
                assertEquals(blob.length, client.contentLength());
                assertArrayEquals(blob, client.readExactly(blob.length), "round " + round);
            }
        }
        long[][] ranges = {{0, 0}, {length - 1, length - 1}, {123, RegistryBlobFetcher.REGION_BYTES + 4567},
                {RegistryBlobFetcher.REGION_BYTES, 2L * RegistryBlobFetcher.REGION_BYTES - 1}, {0, length - 1}};
        for (long[] r : ranges) {
            HttpResponse<byte[]> part = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                    "Range", "bytes=" + r[0] + "-" + r[1]);
            assertEquals(206, part.statusCode(), Arrays.toString(r));
            assertEquals("bytes " + r[0] + "-" + r[1] + "/" + length, header(part, "Content-Range"));
            assertArrayEquals(Arrays.copyOfRange(blob, (int) r[0], (int) r[1] + 1), part.body(), Arrays.toString(r));
        }
        assertTrue(fetcher.regionsHandedOut.get() - handedOut >= 2 * (length / RegistryBlobFetcher.REGION_BYTES) + 5,
                "the bodies went out as file regions: " + (fetcher.regionsHandedOut.get() - handedOut));
        await(() -> fetcher.regionsReleased.get() == fetcher.regionsHandedOut.get(), "every region released once sent");
        await(() -> fetcher.closes.get() == fetcher.opens.get(), "every fetch closed");
    }

    @Test
    void aFileRegionFetchFailingMidwayResetsTheConnectionAndReleasesWhatItHeld() throws Exception {
        fetcher.behave(RegistryBlobFetcher.Behaviour.failAfter(0).withFiles());
        HttpResponse<byte[]> early = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC);
        assertEquals(502, early.statusCode());
        assertTrue(new String(early.body(), StandardCharsets.UTF_8).contains("no parent has piece 0"), new String(early.body()));

        fetcher.behave(RegistryBlobFetcher.Behaviour.failAfter(2L * RegistryBlobFetcher.REGION_BYTES + 7).withFiles());
        assertBodyCutByAReset();
        await(() -> fetcher.regionsReleased.get() == fetcher.regionsHandedOut.get(), "every region released");
        await(() -> fetcher.closes.get() == fetcher.opens.get(), "failed fetches closed");
    }

    @Test
    void firstBytesLeaveBeforeTheBlobIsCompleteAndALeavingClientClosesTheFetch() throws Exception {
        fetcher.behave(RegistryBlobFetcher.Behaviour.stallAfter(300 * 1024));
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send(rawGet(blobPath("private/app", blobDigest)));
            client.readHead();
            assertEquals(200, client.status());
            byte[] start = client.readExactly(300 * 1024);
            assertArrayEquals(Arrays.copyOf(blob, start.length), start, "first bytes arrive while the rest is stalled");
            fetcher.release();
            byte[] rest = client.readExactly(blob.length - start.length);
            assertArrayEquals(Arrays.copyOfRange(blob, start.length, blob.length), rest);
        }

        fetcher.behave(RegistryBlobFetcher.Behaviour.stallAfter(300 * 1024));
        int opened;
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send(rawGet(blobPath("private/app", blobDigest)));
            client.readHead();
            client.readExactly(100 * 1024);
            opened = fetcher.opens.get();
            assertTrue(fetcher.closes.get() < opened, "the fetch is open while the client reads");
        }
        await(() -> fetcher.closes.get() == opened, "the fetch closed after the client left");
        fetcher.release();
        assertEquals(200, get(URI.create("http://" + proxy.hostPort() + "/healthy")).statusCode(), "still serving");
    }

    @Test
    void aClientThatDoesNotReadStopsTheFetcherReading() throws Exception {
        assertEquals(206, get(mirror(blobPath("private/app", bigDigest)), "Authorization", BASIC, "Range", "bytes=0-0").statusCode());
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 32 * 1024)) {
            long before = fetcher.bytesServed.get();
            client.send(rawGet(blobPath("private/app", bigDigest)));
            client.readHead();
            assertEquals(200, client.status());
            Thread.sleep(1500);
            long taken = fetcher.bytesServed.get() - before;
            System.out.println("backpressure: bytes read by the proxy while the client read nothing: " + taken + " of " + big.length);
            assertTrue(taken < big.length / 2, "only about the write buffer and socket buffers were read: " + taken);
            byte[] body = client.readExactly(big.length);
            assertEquals(bigDigest, Digest.sha256(body));
        }
    }

    @Test
    void dragonflyHeadersReachTheFetcherAndBadOnesAre400() throws Exception {
        HttpResponse<byte[]> ok = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                "X-Dragonfly-Tag", "t1", "X-Dragonfly-Application", "app1", "X-Dragonfly-Priority", "2",
                "X-Dragonfly-Piece-Length", "8mib", "User-Agent", "nydusd/2.3");
        assertEquals(200, ok.statusCode());
        BlobRequest seen = fetcher.requests.get(fetcher.requests.size() - 1);
        assertEquals("t1", seen.dragonfly().tag().orElseThrow());
        assertEquals("app1", seen.dragonfly().application().orElseThrow());
        assertEquals(2, seen.dragonfly().priority());
        assertEquals(8L << 20, seen.dragonfly().pieceLength().getAsLong());
        assertEquals(registry.hostPort(), seen.registry());
        assertEquals("private/app", seen.repository());
        assertEquals("http://" + registry.hostPort() + blobPath("private/app", blobDigest) + "?ns=" + registry.hostPort(),
                seen.url().toString());
        assertEquals(BASIC, seen.originHeader("Authorization").orElseThrow(), "the client's credentials go to the origin");
        assertEquals("nydusd/2.3", seen.originHeader("User-Agent").orElseThrow());
        assertTrue(seen.originHeaders().keySet().stream().noneMatch(n -> n.toLowerCase().startsWith("x-dragonfly")
                || n.equalsIgnoreCase("host") || n.equalsIgnoreCase("connection")), seen.originHeaders().keySet().toString());
        assertFalse(seen.toString().contains(BASIC.substring(6)), "no credential in " + seen);

        int opens = fetcher.opens.get();
        double failures = count(ProxyMetrics.REQUEST_FAILURE_TOTAL);
        HttpResponse<byte[]> badPriority = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "X-Dragonfly-Priority", "9");
        assertEquals(400, badPriority.statusCode());
        assertTrue(new String(badPriority.body(), StandardCharsets.UTF_8).contains("X-Dragonfly-Priority"));
        HttpResponse<byte[]> smallPieces = get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC,
                "X-Dragonfly-Piece-Length", "1mib");
        assertEquals(400, smallPieces.statusCode());
        assertTrue(new String(smallPieces.body(), StandardCharsets.UTF_8).contains("minimum"));
        assertEquals(opens, fetcher.opens.get());
        assertEquals(failures + 2, count(ProxyMetrics.REQUEST_FAILURE_TOTAL));
    }

    @Test
    void everyRequestIsCounted() throws Exception {
        double requests = count(ProxyMetrics.REQUEST_TOTAL);
        get(URI.create("http://" + proxy.hostPort() + "/healthy"));
        get(mirror("/v2/"), "Authorization", BASIC);
        get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC, "Range", "bytes=0-9");
        assertEquals(requests + 3, count(ProxyMetrics.REQUEST_TOTAL));
    }

    @Test
    void withoutARuleOnlyUseP2pSendsABlobGetToTheFetcher() throws Exception {
        try (ProxyServer ruleless = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort()))))
                .blobFetcher(fetcher)
                .rules(List.of())
                .build())) {
            URI url = URI.create("http://" + ruleless.hostPort() + blobPath("private/app", blobDigest) + "?ns=" + registry.hostPort());
            int opens = fetcher.opens.get();
            HttpResponse<byte[]> direct = get(url, "Authorization", BASIC);
            assertEquals(200, direct.statusCode());
            assertArrayEquals(blob, direct.body());
            assertEquals("", header(direct, "X-Dragonfly-Task-ID"));
            assertEquals(opens, fetcher.opens.get());
            HttpResponse<byte[]> forced = get(url, "Authorization", BASIC, "X-Dragonfly-Use-P2P", "true");
            assertEquals(200, forced.statusCode());
            assertArrayEquals(blob, forced.body());
            assertEquals(blobDigest.hex(), header(forced, "X-Dragonfly-Task-ID"));
            assertEquals(opens + 1, fetcher.opens.get());
            assertTrue(fetcher.requests.get(fetcher.requests.size() - 1).dragonfly().useP2p());
        }
    }

    @Test
    void anUnreachableOriginRefusesByDefaultAndServesFromPeersOnlyWhenAllowed() throws Exception {
        assertEquals(200, get(mirror(blobPath("private/app", blobDigest)), "Authorization", BASIC).statusCode(),
                "the node has the blob");
        int deadPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            deadPort = probe.getLocalPort();
        }
        List<RegistryUpstream> dead = List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://127.0.0.1:" + deadPort)));
        for (boolean allowed : new boolean[] {false, true}) {
            try (ProxyServer cutOff = ProxyServer.start(ProxyConfig.builder()
                    .listen(new InetSocketAddress("127.0.0.1", 0))
                    .registries(dead)
                    .upstreamTimeout(Duration.ofSeconds(3))
                    .blobFetcher(fetcher)
                    .servePeersWhenOriginUnreachable(allowed)
                    .build())) {
                URI url = URI.create("http://" + cutOff.hostPort() + blobPath("private/app", blobDigest) + "?ns=" + registry.hostPort());
                int opens = fetcher.opens.get();
                HttpResponse<byte[]> response = get(url, "Authorization", BASIC);
                if (allowed) {
                    assertEquals(200, response.statusCode());
                    assertArrayEquals(blob, response.body());
                    assertEquals(opens + 1, fetcher.opens.get());
                } else {
                    assertTrue(response.statusCode() >= 500, "refused while the origin cannot confirm: " + response.statusCode());
                    assertEquals(opens, fetcher.opens.get(), "nothing served without the origin's yes");
                }
            }
        }
    }
}

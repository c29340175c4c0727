package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.proxy.FaultInjectingProxy;
import dev.damselfly.testkit.proxy.ProxyRequest;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy in front of a real registry with Basic auth: mirror, forward proxy, CONNECT, allowlist, bad input. */
class ProxyServerTest {
    private static final String USER = "mirror-user";
    private static final String PASSWORD = "mirror-password";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    private static RegistryServer registry;
    private static FaultInjectingProxy faulty;
    private static ProxyServer proxy;
    private static HttpClient http;
    private static byte[] blob;
    private static Digest blobDigest;
    private static ManifestDocument manifest;

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryServer.start(RegistryAuth.htpasswd(USER, PASSWORD));
        faulty = FaultInjectingProxy.start(registry);
        proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(
                        new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort())),
                        new RegistryUpstream(faulty.hostPort(), URI.create("http://" + faulty.hostPort()))))
                .upstreamTimeout(Duration.ofSeconds(2))
                .build());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        blob = DeterministicBytes.bytes(5, 3 * 1024 * 1024 + 17);
        blobDigest = Digest.sha256(blob);
        try (RegistryClient client = RegistryClient.create(RegistryClientConfig.builder()
                .credentials(CredentialProvider.of(registry.hostPort(), Credentials.basic(USER, PASSWORD))).build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/private/app:v1");
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            client.pushBlob(ref, Digest.sha256(config), config.length, new ByteArrayInputStream(config), n -> { });
            client.pushBlob(ref, blobDigest, blob.length, new ByteArrayInputStream(blob), n -> { });
            manifest = ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                    new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
                    List.of(new Descriptor(MediaTypes.OCI_LAYER_TAR, blobDigest, blob.length)), null, null));
            client.pushManifest(ref, manifest);
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (faulty != null) {
            faulty.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static URI mirror(String path) {
        String separator = path.contains("?") ? "&" : "?";
        return URI.create("http://" + proxy.hostPort() + path + separator + "ns=" + registry.hostPort());
    }

    private static HttpResponse<byte[]> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void healthEndpoint() throws Exception {
        assertEquals(200, get(URI.create("http://" + proxy.hostPort() + "/healthy")).statusCode());
    }

    @Test
    void challengeComesBackUntouchedAndCredentialsPassThrough() throws Exception {
        HttpResponse<byte[]> challenge = get(mirror("/v2/"));
        assertEquals(401, challenge.statusCode());
        assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="), challenge.headers().toString());
        assertEquals("backend", challenge.headers().firstValue("X-Dragonfly-Error-Type").orElse(""));
        assertEquals(200, get(mirror("/v2/"), "Authorization", BASIC).statusCode());
    }

    @Test
    void mirrorServesManifestsBlobsAndRanges() throws Exception {
        HttpResponse<byte[]> m = get(mirror("/v2/private/app/manifests/v1"), "Authorization", BASIC, "Accept", MediaTypes.OCI_MANIFEST);
        assertEquals(200, m.statusCode());
        assertArrayEquals(manifest.bytes(), m.body());
        HttpResponse<byte[]> full = get(mirror("/v2/private/app/blobs/" + blobDigest), "Authorization", BASIC);
        assertEquals(200, full.statusCode());
        assertArrayEquals(blob, full.body());
        HttpResponse<byte[]> range = get(mirror("/v2/private/app/blobs/" + blobDigest), "Authorization", BASIC, "Range", "bytes=1048576-1049599");
        assertEquals(206, range.statusCode());
        assertEquals("bytes 1048576-1049599/" + blob.length, range.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(blob, 1048576, 1049600), range.body());
        HttpResponse<byte[]> viaHeader = http.send(HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort() + "/v2/private/app/blobs/" + blobDigest))
                .header("Authorization", BASIC).header("X-Dragonfly-Registry", "http://" + registry.hostPort())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, viaHeader.statusCode());
        assertEquals(String.valueOf(blob.length), viaHeader.headers().firstValue("Content-Length").orElse(""));
    }

    @Test
    void registriesNotConfiguredAreRefusedWithoutContactingThem() throws Exception {
        // Earlier tests' aborted exchanges are logged by the registry asynchronously: let them land first.
        registry.accessLog().awaitSettled(Duration.ofMillis(500), Duration.ofSeconds(10));
        AccessLog.Mark mark = registry.accessLog().mark();
        HttpResponse<byte[]> refused = get(URI.create("http://" + proxy.hostPort() + "/v2/?ns=evil.example:5000"));
        assertEquals(403, refused.statusCode());
        assertEquals("proxy", refused.headers().firstValue("X-Dragonfly-Error-Type").orElse(""));
        assertEquals(403, get(URI.create("http://" + proxy.hostPort() + "/v2/"), "X-Dragonfly-Registry", "https://evil.example").statusCode());
        assertEquals(403, get(URI.create("http://" + proxy.hostPort() + "/v2/")).statusCode(), "no ns= and no default mirror");
        HttpClient forward = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
        assertEquals(403, forward.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/v2/")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode(), "forward proxy to an unlisted host");
        registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(10));
        assertEquals(0, registry.accessLog().since(mark).count(e -> e.path().equals("/v2/")),
                "refused requests never reach any registry: " + registry.accessLog().since(mark));
    }

    @Test
    void forwardProxyToAnAllowedRegistry() throws Exception {
        HttpClient forward = HttpClient.newBuilder().proxy(ProxySelector.of(proxy.address())).build();
        HttpResponse<byte[]> response = forward.send(HttpRequest.newBuilder(
                        URI.create("http://" + registry.hostPort() + "/v2/private/app/blobs/" + blobDigest))
                .header("Authorization", BASIC).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(blob, response.body());
    }

    @Test
    void connectTunnelsOnlyToAllowedRegistriesAndPassesBytesUntouched() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            send(socket, "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n");
            assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 403"));
        }
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            send(socket, "CONNECT " + registry.hostPort() + " HTTP/1.1\r\nHost: " + registry.hostPort() + "\r\n\r\n");
            assertTrue(readHead(socket.getInputStream()).startsWith("HTTP/1.1 200"));
            send(socket, "GET /v2/ HTTP/1.1\r\nHost: " + registry.hostPort() + "\r\nAuthorization: " + BASIC + "\r\nConnection: close\r\n\r\n");
            String inside = readHead(socket.getInputStream());
            assertTrue(inside.startsWith("HTTP/1.1 200"), inside);
            assertTrue(inside.toLowerCase().contains("docker-distribution-api-version"), "the registry itself answered inside the tunnel: " + inside);
        }
    }

    @Test
    void malformedOversizedAndUnknownRequestsGetReasons() throws Exception {
        assertTrue(rawExchange("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(rawExchange("GET /v2/" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 414"));
        assertTrue(rawExchange("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n").startsWith("HTTP/1.1 431"));
        String put = rawExchange("TRACE /v2/x/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(put.startsWith("HTTP/1.1 405"), put);
        assertEquals(200, get(URI.create("http://" + proxy.hostPort() + "/healthy")).statusCode(), "still serving");
    }

    @Test
    void clientLeavingMidBodyLeavesTheProxyServing() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            send(socket, "GET /v2/private/app/blobs/" + blobDigest + "?ns=" + registry.hostPort() + " HTTP/1.1\r\nHost: x\r\nAuthorization: "
                    + BASIC + "\r\n\r\n");
            socket.getInputStream().readNBytes(100_000);
        }
        HttpResponse<byte[]> after = get(mirror("/v2/private/app/blobs/" + blobDigest), "Authorization", BASIC);
        assertEquals(200, after.statusCode());
        assertArrayEquals(blob, after.body());
    }

    @Test
    void upstreamThatHangsIs504AndOneThatResetsIs502() throws Exception {
        URI viaFaulty = URI.create("http://" + proxy.hostPort() + "/v2/?ns=" + faulty.hostPort());
        faulty.delayNext(1, Duration.ofSeconds(5), ProxyRequest.any());
        HttpResponse<byte[]> hung = get(viaFaulty, "Authorization", BASIC);
        assertEquals(504, hung.statusCode());
        faulty.clearRules();
        faulty.resetConnectionNext(1, ProxyRequest.any());
        assertEquals(502, get(viaFaulty, "Authorization", BASIC).statusCode());
        assertEquals(200, get(viaFaulty, "Authorization", BASIC).statusCode());
    }

    private static String rawExchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            send(socket, request);
            return readHead(socket.getInputStream());
        }
    }

    private static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads up to the end of the response head. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }
}

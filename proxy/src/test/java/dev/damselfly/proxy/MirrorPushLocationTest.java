package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pushes through the mirror keep going through the mirror: the registry's absolute {@code Location}s (upload sessions,
 * the finished blob) come back proxy-relative with {@code ns=}, and a client that follows only them, never the
 * registry's own address, pushes a blob monolithically and in PATCH chunks to a real docker-registry.
 */
class MirrorPushLocationTest {
    private static final int MIB = 1024 * 1024;
    private static RegistryServer registry;
    private static ProxyServer proxy;
    private static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryServer.start();
        proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort()))))
                .upstreamTimeout(Duration.ofSeconds(5))
                .build());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** A URL on the proxy for a proxy-relative location (asserted to be one, carrying {@code ns=}). */
    private static URI onProxy(HttpResponse<?> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/v2/"), "Location must be proxy-relative, got " + location);
        assertTrue(location.contains("ns=" + registry.hostPort()), "Location must keep ns=, got " + location);
        return URI.create("http://" + proxy.hostPort() + location);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI withDigest(URI uri, Digest digest) {
        return URI.create(uri + "&digest=" + digest);
    }

    private static HttpResponse<String> startUpload(String repo) throws Exception {
        HttpResponse<String> started = send(HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort() + "/v2/" + repo
                + "/blobs/uploads/?ns=" + registry.hostPort())).POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(202, started.statusCode(), started.body());
        return started;
    }

    private static void assertStored(String repo, byte[] blob) throws Exception {
        HttpResponse<byte[]> direct = http.send(HttpRequest.newBuilder(URI.create("http://" + registry.hostPort() + "/v2/" + repo
                + "/blobs/" + Digest.sha256(blob))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, direct.statusCode());
        assertArrayEquals(blob, direct.body());
    }

    @Test
    void monolithicPushFollowsProxyRelativeLocations() throws Exception {
        byte[] blob = DeterministicBytes.bytes(41, 2 * MIB + 7);
        Digest digest = Digest.sha256(blob);
        HttpResponse<String> started = startUpload("push/mono");
        HttpResponse<String> done = send(HttpRequest.newBuilder(withDigest(onProxy(started), digest))
                .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
        assertEquals(201, done.statusCode(), done.body());
        assertEquals("/v2/push/mono/blobs/" + digest + "?ns=" + registry.hostPort(), done.headers().firstValue("Location").orElseThrow());
        assertStored("push/mono", blob);
        HttpResponse<String> head = send(HttpRequest.newBuilder(onProxy(done)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertEquals(200, head.statusCode());
    }

    @Test
    void chunkedPushFollowsProxyRelativeLocations() throws Exception {
        byte[] blob = DeterministicBytes.bytes(42, 5 * MIB + 3);
        int first = 2 * MIB;
        int second = 4 * MIB + 1;
        HttpResponse<String> started = startUpload("push/chunked");
        HttpResponse<String> patched = send(HttpRequest.newBuilder(onProxy(started)).header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, 0, first))));
        assertEquals(202, patched.statusCode(), patched.body());
        assertEquals("0-" + (first - 1), patched.headers().firstValue("Range").orElse(""));
        HttpResponse<String> patchedAgain = send(HttpRequest.newBuilder(onProxy(patched)).header("Content-Type", "application/octet-stream")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, first, second))));
        assertEquals(202, patchedAgain.statusCode(), patchedAgain.body());
        assertEquals("0-" + (second - 1), patchedAgain.headers().firstValue("Range").orElse(""));
        HttpResponse<String> done = send(HttpRequest.newBuilder(withDigest(onProxy(patchedAgain), Digest.sha256(blob)))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Arrays.copyOfRange(blob, second, blob.length))));
        assertEquals(201, done.statusCode(), done.body());
        assertStored("push/chunked", blob);
    }

    @Test
    void forwardProxyAnswersKeepTheRegistrysLocation() throws Exception {
        HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(proxy.address())).build();
        HttpResponse<String> started = forward.send(HttpRequest.newBuilder(URI.create("http://" + registry.hostPort()
                + "/v2/push/forward/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, started.statusCode());
        String location = started.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("http://" + registry.hostPort() + "/v2/push/forward/blobs/uploads/"), location);
    }

    @Test
    void onlyLocationsOnTheUpstreamAreRewritten() {
        RegistryUpstream upstream = new RegistryUpstream("registry.example", URI.create("https://registry.example"));
        assertEquals("/v2/a/blobs/uploads/u?_state=x&ns=registry.example",
                LocationRewriter.rewrite("https://registry.example:443/v2/a/blobs/uploads/u?_state=x", upstream));
        assertEquals("/v2/a/blobs/uploads/u?ns=registry.example", LocationRewriter.rewrite("/v2/a/blobs/uploads/u", upstream));
        assertEquals("/v2/a/blobs/uploads/u?ns=other&x=1", LocationRewriter.rewrite("/v2/a/blobs/uploads/u?ns=other&x=1", upstream));
        assertNull(LocationRewriter.rewrite("https://s3.example/bucket/blob?X-Amz-Signature=s", upstream));
        assertNull(LocationRewriter.rewrite("http://registry.example/v2/a/blobs/uploads/u", upstream), "another scheme and port");
        assertNull(LocationRewriter.rewrite("https://registry.example:5000/v2/a", upstream));
        assertNull(LocationRewriter.rewrite("relative/path", upstream));
        assertNull(LocationRewriter.rewrite("//registry.example/v2/a", upstream));
    }
}

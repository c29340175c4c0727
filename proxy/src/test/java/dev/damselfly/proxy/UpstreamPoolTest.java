package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pass-through path's upstream connections: pooled across client connections, never reused once the origin closed them,
 * and paused while the client is slow to read.
 */
class UpstreamPoolTest {
    private KeepAliveOrigin origin;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws IOException {
        origin = new KeepAliveOrigin();
        proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(new RegistryUpstream(origin.hostPort(), URI.create("http://" + origin.hostPort()))))
                // One event loop: every client connection shares one pool, whatever loop it lands on.
                .eventLoopThreads(1)
                .upstreamTimeout(Duration.ofSeconds(5))
                .build());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        origin.close();
    }

    @Test
    void sequentialRequestsOnNewClientConnectionsReuseOneUpstreamConnection() throws IOException {
        for (int i = 0; i < 5; i++) {
            assertEquals("/v2/app/manifests/t" + i, get("/v2/app/manifests/t" + i));
        }
        assertEquals(5, origin.requests.get());
        assertEquals(1, origin.accepted.get(), "one upstream connection for five sequential requests");
    }

    @Test
    void sequentialRequestsOnOneClientConnectionReuseOneUpstreamConnection() throws IOException {
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            for (int i = 0; i < 4; i++) {
                String path = "/v2/app/blobs/b" + i;
                client.send("GET " + path + "?ns=" + origin.hostPort() + " HTTP/1.1\r\nHost: mirror\r\n\r\n");
                client.readHead();
                assertEquals(200, client.status());
                assertEquals(path, new String(client.readExactly((int) client.contentLength()), StandardCharsets.UTF_8));
            }
        }
        assertEquals(1, origin.accepted.get());
    }

    @Test
    void connectionClosedByTheOriginIsNotReused() throws IOException, InterruptedException {
        origin.closeAfterResponse(true);
        // Back to back: the proxy may still hold the closed connection when the next request comes (the exchange is
        // then retried on a fresh one), or may already have dropped it; either way every request must succeed.
        for (int i = 0; i < 6; i++) {
            assertEquals("/v2/app/manifests/c" + i, get("/v2/app/manifests/c" + i));
            if (i % 2 == 1) {
                Thread.sleep(100);
            }
        }
        assertEquals(6, origin.accepted.get(), "a fresh upstream connection for each request");
        assertEquals(6, origin.requests.get());
        // Once the origin keeps connections open again, the pool works again.
        origin.closeAfterResponse(false);
        get("/v2/app/manifests/k1");
        get("/v2/app/manifests/k2");
        assertEquals(7, origin.accepted.get());
    }

    @Test
    void aSlowClientPausesTheUpstreamAndTheConnectionIsPooledAfterwards() throws Exception {
        long size = 96L << 20;
        origin.largeBody(size);
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 64 * 1024)) {
            client.send("GET /v2/app/blobs/large?ns=" + origin.hostPort() + " HTTP/1.1\r\nHost: mirror\r\n\r\n");
            client.readHead();
            assertEquals(200, client.status());
            assertEquals(size, client.contentLength());
            byte[] first = client.readExactly(1 << 20);
            Thread.sleep(700);
            long written = origin.largeBodyWritten.get();
            // Socket buffers on both sides plus the proxy's high-water mark and one read: far below the whole body.
            assertTrue(written < 40L << 20, "the origin got ahead of a client that stopped reading by " + written + " bytes");
            long offset = 0;
            for (byte b : first) {
                assertEquals(KeepAliveOrigin.largeByte(offset++), b, "byte " + (offset - 1));
            }
            byte[] buffer = new byte[1 << 20];
            while (offset < size) {
                int n = client.in.read(buffer, 0, (int) Math.min(buffer.length, size - offset));
                assertTrue(n > 0, "the body ended after " + offset + " bytes");
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != KeepAliveOrigin.largeByte(offset + i)) {
                        throw new AssertionError("byte " + (offset + i) + " differs");
                    }
                }
                offset += n;
            }
        }
        assertEquals("/v2/app/manifests/after", get("/v2/app/manifests/after"));
        assertEquals(1, origin.accepted.get(), "the connection that carried the large body is reused");
    }

    /** One GET on a new client connection that asks to close after the response; the body, after checking for 200. */
    private String get(String path) throws IOException {
        try (RawHttpClient client = new RawHttpClient(proxy.address(), 0)) {
            client.send("GET " + path + "?ns=" + origin.hostPort() + " HTTP/1.1\r\nHost: mirror\r\nConnection: close\r\n\r\n");
            client.readHead();
            assertEquals(200, client.status(), client.statusLine);
            return new String(client.readExactly((int) client.contentLength()), StandardCharsets.UTF_8);
        }
    }
}

package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-client request-rate limit: token buckets on a controlled clock, and 429 with Retry-After from a real proxy. */
class RequestRateLimitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void bucketAdmitsTheBurstThenTheRatePerClientAddress() throws Exception {
        AtomicLong clock = new AtomicLong(0);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        RequestRateLimiter limiter = new RequestRateLimiter(2, 3, clock::get, new ProxyMetrics(meters));
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress aOtherPort = new InetSocketAddress("127.0.0.1", 40001);
        InetSocketAddress b = new InetSocketAddress("127.0.0.2", 40000);
        limiter.acquire(a);
        limiter.acquire(aOtherPort);
        limiter.acquire(a);
        ProxyException refused = assertThrows(ProxyException.class, () -> limiter.acquire(aOtherPort), "same address, other port");
        assertEquals(429, refused.status());
        assertEquals(1, refused.retryAfterSeconds());
        assertDoesNotThrow(() -> limiter.acquire(b), "another address has its own bucket");
        clock.addAndGet(SECOND / 2); // one token back at 2/s
        limiter.acquire(a);
        assertThrows(ProxyException.class, () -> limiter.acquire(a));
        clock.addAndGet(10 * SECOND); // refills to the burst, not beyond
        for (int i = 0; i < 3; i++) {
            limiter.acquire(a);
        }
        assertThrows(ProxyException.class, () -> limiter.acquire(a));
        assertEquals(3.0, meters.counter(ProxyMetrics.RATE_LIMITED_TOTAL).count());
    }

    @Test
    void retryAfterCoversTheWaitForASlowRate() {
        AtomicLong clock = new AtomicLong(0);
        RequestRateLimiter limiter = new RequestRateLimiter(0.2, 1, clock::get, new ProxyMetrics(new SimpleMeterRegistry()));
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 40000);
        assertDoesNotThrow(() -> limiter.acquire(a));
        clock.addAndGet(SECOND);
        ProxyException refused = assertThrows(ProxyException.class, () -> limiter.acquire(a));
        assertEquals(4, refused.retryAfterSeconds(), "5 s per token at 0.2/s, 1 s already passed");
    }

    @Test
    void proxyAnswers429WithRetryAfterAndCountsIt() throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (ProxyServer proxy = ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(new RegistryUpstream("127.0.0.1:9", URI.create("http://127.0.0.1:9"))))
                .requestRateLimit(0.5)
                .requestRateBurst(3)
                .meterRegistry(meters)
                .build())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // Refused by the allowlist (never leaves the proxy) but counted against the client's bucket.
            URI notAllowed = URI.create("http://" + proxy.hostPort() + "/v2/x/manifests/latest?ns=blocked.example");
            for (int i = 0; i < 3; i++) {
                assertEquals(403, http.send(HttpRequest.newBuilder(notAllowed).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            HttpResponse<String> limited = http.send(HttpRequest.newBuilder(notAllowed).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, limited.statusCode());
            long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter);
            assertEquals("proxy", limited.headers().firstValue("X-Dragonfly-Error-Type").orElseThrow());
            assertTrue(limited.body().contains("too many requests"), limited.body());
            // Uploads are limited too (their body is not read).
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort()
                    + "/v2/x/blobs/uploads/?ns=127.0.0.1:9")).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(429, upload.statusCode());
            assertTrue(upload.headers().firstValue("Retry-After").isPresent());
            // Health probes are never limited.
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://" + proxy.hostPort() + "/healthy")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(2.0, meters.counter(ProxyMetrics.RATE_LIMITED_TOTAL).count());
        }
    }
}

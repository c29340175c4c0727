package dev.damselfly.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The proxy's counters, named as Dragonfly's client names them (spec §6) so existing dashboards work: in
 * Prometheus they read {@code dragonfly_client_proxy_request_total},
 * {@code dragonfly_client_proxy_request_failure_total} and
 * {@code dragonfly_client_proxy_request_via_dfdaemon_total}.
 */
final class ProxyMetrics {
    /** Every request the proxy reads, whatever becomes of it. */
    static final String REQUEST_TOTAL = "dragonfly.client.proxy.request.total";
    /**
     * Requests the proxy failed: its own error answers ({@code X-Dragonfly-Error-Type: proxy} or
     * {@code dfdaemon}) and P2P responses aborted mid-body. A registry's own refusal (backend) is not a failure.
     */
    static final String REQUEST_FAILURE_TOTAL = "dragonfly.client.proxy.request.failure.total";
    /** Requests handed to the {@code BlobFetcher} (the P2P path). */
    static final String REQUEST_VIA_DFDAEMON_TOTAL = "dragonfly.client.proxy.request.via.dfdaemon.total";
    /**
     * Requests refused with 429 by the per-client request-rate limit ({@code damselfly_proxy_rate_limited_total};
     * Dragonfly has no such counter). They are also counted as failures.
     */
    static final String RATE_LIMITED_TOTAL = "damselfly.proxy.rate.limited.total";

    private final Counter requests;
    private final Counter failures;
    private final Counter viaDfdaemon;
    private final Counter rateLimited;

    ProxyMetrics(MeterRegistry registry) {
        requests = Counter.builder(REQUEST_TOTAL).description("Requests received by the proxy").register(registry);
        failures = Counter.builder(REQUEST_FAILURE_TOTAL).description("Requests the proxy failed").register(registry);
        viaDfdaemon = Counter.builder(REQUEST_VIA_DFDAEMON_TOTAL).description("Requests served through the P2P engine")
                .register(registry);
        rateLimited = Counter.builder(RATE_LIMITED_TOTAL).description("Requests refused with 429 by the per-client rate limit")
                .register(registry);
    }

    void request() {
        requests.increment();
    }

    void failure() {
        failures.increment();
    }

    void viaDfdaemon() {
        viaDfdaemon.increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }
}

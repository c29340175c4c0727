package dev.damselfly.exchange.vortex;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Meters of the piece server, named as Dragonfly's client exports them (spec §6) so its dashboards keep working:
 * <ul>
 *   <li>{@value #UPLOAD_TRAFFIC} — counter of piece bytes sent to children (bytes);</li>
 *   <li>{@value #CONCURRENT_UPLOADS} — gauge of uploads in progress (pieces);</li>
 *   <li>{@value #UPLOAD_FAILURES} — counter of piece requests that did not end in a complete send, tagged
 *       {@code reason} = {@code not_found}, {@code invalid}, {@code busy}, {@code repeat} (deflected, see
 *       {@link RecentCopies}), {@code internal} or {@code io}
 *       (our addition; Dragonfly has no such meter).</li>
 * </ul>
 */
final class UploadMetrics {
    /** Counter, bytes. */
    static final String UPLOAD_TRAFFIC = "dragonfly.client.upload.traffic";
    /** Gauge, pieces. */
    static final String CONCURRENT_UPLOADS = "dragonfly.client.concurrent.upload.piece.total";
    /** Counter, requests. */
    static final String UPLOAD_FAILURES = "dragonfly.client.upload.piece.failure.total";

    final AtomicInteger active = new AtomicInteger();
    final AtomicLong uploadedBytes = new AtomicLong();
    private final Counter traffic;
    private final MeterRegistry registry;
    /** The failure counter of each reason, registered on first use. */
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    UploadMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.traffic = Counter.builder(UPLOAD_TRAFFIC).description("Piece bytes uploaded to other peers (bytes)")
                .register(registry);
        Gauge.builder(CONCURRENT_UPLOADS, active, AtomicInteger::get)
                .description("Piece uploads in progress").register(registry);
    }

    void uploaded(long bytes) {
        uploadedBytes.addAndGet(bytes);
        traffic.increment(bytes);
    }

    void failed(String reason) {
        failures.computeIfAbsent(reason, r -> Counter.builder(UPLOAD_FAILURES)
                .description("Piece upload requests that failed").tag("reason", r).register(registry)).increment();
    }
}

package dev.damselfly.exchange.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's meters under Dragonfly's names (spec §6; Micrometer dotted names, the exposition turns
 * {@code dragonfly.client.download.traffic} into {@code dragonfly_client_download_traffic}):
 * <ul>
 *   <li>{@code dragonfly.client.download.traffic} counter, bytes, {@code type} = BACK_TO_SOURCE | REMOTE_PEER |
 *       LOCAL_PEER</li>
 *   <li>{@code dragonfly.client.download.task.total} / {@code dragonfly.client.download.task.failure.total}
 *       counters and {@code dragonfly.client.concurrent.download.task.total} gauge, tags type (task type, "0" =
 *       STANDARD), tag, app, priority</li>
 *   <li>{@code dragonfly.client.download.task.duration.milliseconds} histogram of milliseconds (buckets 1, 2, 4
 *       … 2^23), tags task_type, task_size_level</li>
 *   <li>{@code dragonfly.client.backend.request.total} / {@code ….failure.total} counters and
 *       {@code dragonfly.client.backend.request.duration.milliseconds} histogram, tags scheme, method (the
 *       length lookup counts as HEAD, as in Dragonfly)</li>
 * </ul>
 */
final class EngineMetrics {
    static final String TRAFFIC = "dragonfly.client.download.traffic";
    static final String TASK_TOTAL = "dragonfly.client.download.task.total";
    static final String TASK_FAILURE_TOTAL = "dragonfly.client.download.task.failure.total";
    static final String CONCURRENT_TASKS = "dragonfly.client.concurrent.download.task.total";
    static final String TASK_DURATION = "dragonfly.client.download.task.duration.milliseconds";
    static final String BACKEND_TOTAL = "dragonfly.client.backend.request.total";
    static final String BACKEND_FAILURE_TOTAL = "dragonfly.client.backend.request.failure.total";
    static final String BACKEND_DURATION = "dragonfly.client.backend.request.duration.milliseconds";
    /** Task type label of standard tasks. */
    static final String STANDARD_TYPE = "0";

    private static final double[] EXP_BUCKETS = exponentialBuckets();

    private final MeterRegistry registry;
    private final Map<PieceSource, Counter> traffic = new EnumMap<>(PieceSource.class);
    private final Map<Tags, AtomicInteger> concurrent = new ConcurrentHashMap<>();

    EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (PieceSource s : PieceSource.values()) {
            traffic.put(s, Counter.builder(TRAFFIC).baseUnit("bytes").tag("type", s.name())
                    .description("bytes downloaded by source").register(registry));
        }
    }

    void traffic(PieceSource source, long bytes) {
        if (bytes > 0) {
            traffic.get(source).increment(bytes);
        }
    }

    /** Counts a started task and raises the concurrent gauge. */
    void taskStarted(TaskRequest r) {
        Tags tags = taskTags(r);
        registry.counter(TASK_TOTAL, tags).increment();
        concurrent.computeIfAbsent(tags, t -> registry.gauge(CONCURRENT_TASKS, t, new AtomicInteger())).incrementAndGet();
    }

    /** Counts a task that failed before it could start (its length could not be looked up, say). */
    void taskFailedToStart(TaskRequest r) {
        Tags tags = taskTags(r);
        registry.counter(TASK_TOTAL, tags).increment();
        registry.counter(TASK_FAILURE_TOTAL, tags).increment();
    }

    /**
     * Lowers the concurrent gauge; counts a failure when {@code failed}, else records the duration when
     * {@code durationMillis} ≥ 0 (a range-only run that ends idle has none).
     */
    void taskEnded(TaskRequest r, boolean failed, long durationMillis, long contentLength) {
        Tags tags = taskTags(r);
        AtomicInteger c = concurrent.get(tags);
        if (c != null) {
            c.decrementAndGet();
        }
        if (failed) {
            registry.counter(TASK_FAILURE_TOTAL, tags).increment();
        } else if (durationMillis >= 0) {
            DistributionSummary.builder(TASK_DURATION)
                    .tags("task_type", STANDARD_TYPE, "task_size_level", Integer.toString(sizeLevel(contentLength)))
                    .serviceLevelObjectives(EXP_BUCKETS)
                    .register(registry).record(durationMillis);
        }
    }

    void backendRequest(String scheme, String method, boolean ok, long durationMillis) {
        Tags tags = Tags.of("scheme", scheme, "method", method);
        registry.counter(BACKEND_TOTAL, tags).increment();
        if (!ok) {
            registry.counter(BACKEND_FAILURE_TOTAL, tags).increment();
        }
        DistributionSummary.builder(BACKEND_DURATION).tags(tags).serviceLevelObjectives(EXP_BUCKETS)
                .register(registry).record(durationMillis);
    }

    private static Tags taskTags(TaskRequest r) {
        return Tags.of("type", STANDARD_TYPE, "tag", r.tag().orElse(""), "app", r.application().orElse(""),
                "priority", Integer.toString(r.priority()));
    }

    /** Spec §6 task_size_level: 0 for empty, then 1 (&lt; 1 MiB) … 20 (≥ 1 TiB). */
    static int sizeLevel(long bytes) {
        if (bytes <= 0) {
            return 0;
        }
        long mib = 1L << 20;
        long[] limits = {mib, 4 * mib, 8 * mib, 16 * mib, 32 * mib, 64 * mib, 128 * mib, 256 * mib, 512 * mib,
            1024 * mib, 4096 * mib, 8192 * mib, 16384 * mib, 32768 * mib, 65536 * mib, 131072 * mib, 262144 * mib,
            524288 * mib, 1048576 * mib};
        for (int i = 0; i < limits.length; i++) {
            if (bytes < limits[i]) {
                return i + 1;
            }
        }
        return 20;
    }

    private static double[] exponentialBuckets() {
        double[] b = new double[24];
        for (int i = 0; i < b.length; i++) {
            b[i] = 1L << i;
        }
        return b;
    }
}

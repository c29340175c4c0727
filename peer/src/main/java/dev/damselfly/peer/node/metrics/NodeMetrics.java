package dev.damselfly.peer.node.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The node's meter registry. Components record with Micrometer names; this class makes the exposition match the
 * Rust dfdaemon's where a metric means the same thing:
 * <ul>
 *   <li>Dragonfly's traffic counters carry no {@code _total} suffix ({@code dragonfly_client_download_traffic},
 *       {@code dragonfly_client_upload_traffic}), which a Prometheus counter cannot have; so the components'
 *       counters are renamed to {@code damselfly_download_traffic_bytes_total} /
 *       {@code damselfly_upload_traffic_bytes_total} (proper counters) and the Dragonfly names are exposed as
 *       gauges reading the same counters (monotonic, so {@code rate()} works on them as on the original).</li>
 *   <li>{@code dragonfly_client_version} is registered here; {@code dragonfly_client_disk_space_total} and
 *       {@code dragonfly_client_disk_usage_space_total} are appended by {@link #scrape()}.</li>
 * </ul>
 */
public final class NodeMetrics {
    /** Micrometer name components use for bytes downloaded, tagged type=BACK_TO_SOURCE|REMOTE_PEER|LOCAL_PEER. */
    public static final String DOWNLOAD_TRAFFIC = "dragonfly.client.download.traffic";
    /** Micrometer name components use for bytes uploaded to other peers. */
    public static final String UPLOAD_TRAFFIC = "dragonfly.client.upload.traffic";
    private static final String DOWNLOAD_COUNTER = "damselfly.download.traffic";
    private static final String UPLOAD_COUNTER = "damselfly.upload.traffic";
    /** Names the compatibility gauges are registered under (Micrometer caches meters by pre-filter name and tags). */
    private static final String DOWNLOAD_GAUGE = "damselfly.compat.download.traffic";
    private static final String UPLOAD_GAUGE = "damselfly.compat.upload.traffic";
    /**
     * Dragonfly gauges whose names end in {@code _total}, which the Prometheus client drops from gauge names: they
     * are kept under our name in the registry and written by hand under Dragonfly's in {@link #scrape()}.
     */
    private static final Map<String, String> TOTAL_GAUGES = Map.of(
            "dragonfly.client.concurrent.upload.piece.total", "damselfly.concurrent.upload.pieces",
            "dragonfly.client.concurrent.download.task.total", "damselfly.concurrent.download.tasks");
    private static final String[] TRAFFIC_TYPES = {"BACK_TO_SOURCE", "REMOTE_PEER", "LOCAL_PEER"};

    private final PrometheusMeterRegistry registry;
    private final File dataDir;

    private NodeMetrics(PrometheusMeterRegistry registry, File dataDir) {
        this.registry = registry;
        this.dataDir = dataDir;
    }

    /**
     * @param version this build's version, for {@code dragonfly_client_version}
     * @param dataDir the directory whose file system is reported as disk space
     */
    public static NodeMetrics create(String version, Path dataDir) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getType() == Meter.Type.COUNTER && id.getName().equals(DOWNLOAD_TRAFFIC)) {
                    return id.withName(DOWNLOAD_COUNTER).withBaseUnit("bytes");
                }
                if (id.getType() == Meter.Type.COUNTER && id.getName().equals(UPLOAD_TRAFFIC)) {
                    return id.withName(UPLOAD_COUNTER).withBaseUnit("bytes");
                }
                if (id.getType() == Meter.Type.GAUGE && TOTAL_GAUGES.containsKey(id.getName())) {
                    return id.withName(TOTAL_GAUGES.get(id.getName()));
                }
                if (id.getName().equals(DOWNLOAD_GAUGE)) {
                    return id.withName(DOWNLOAD_TRAFFIC);
                }
                if (id.getName().equals(UPLOAD_GAUGE)) {
                    return id.withName(UPLOAD_TRAFFIC);
                }
                return id;
            }
        });
        NodeMetrics metrics = new NodeMetrics(registry, dataDir.toFile());
        metrics.registerDragonflyGauges(version, dataDir.toFile());
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        return metrics;
    }

    private void registerDragonflyGauges(String version, File dataDir) {
        for (String type : TRAFFIC_TYPES) {
            Counter counter = Counter.builder(DOWNLOAD_TRAFFIC).tag("type", type).register(registry);
            Gauge.builder(DOWNLOAD_GAUGE, counter, Counter::count).tag("type", type)
                    .description("bytes downloaded, by source (Dragonfly name; a monotonic gauge)").register(registry);
        }
        Counter upload = Counter.builder(UPLOAD_TRAFFIC).register(registry);
        Gauge.builder(UPLOAD_GAUGE, upload, Counter::count)
                .description("bytes uploaded to other peers (Dragonfly name; a monotonic gauge)").register(registry);
        Gauge.builder("dragonfly.client.version", () -> 1)
                .tags(Tags.of("git_version", version, "git_commit", "", "platform",
                        System.getProperty("os.name") + "/" + System.getProperty("os.arch"), "build_time", ""))
                .register(registry);
    }

    /** The registry every component records into. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * The Prometheus text exposition: every meter, plus Dragonfly's two disk gauges whose names end in
     * {@code _total}, which the Prometheus client library refuses for gauges and so are written here by hand.
     */
    public String scrape() {
        StringBuilder text = new StringBuilder(registry.scrape());
        TOTAL_GAUGES.forEach((dragonflyName, ourName) -> appendTaggedGauges(text,
                dragonflyName.replace('.', '_'), ourName));
        appendGauge(text, "dragonfly_client_disk_space_total", "bytes of the data directory's file system",
                dataDir.getTotalSpace());
        appendGauge(text, "dragonfly_client_disk_usage_space_total", "bytes used on the data directory's file system",
                dataDir.getTotalSpace() - dataDir.getUsableSpace());
        return text.toString();
    }

    private void appendTaggedGauges(StringBuilder text, String name, String source) {
        text.append("# HELP ").append(name).append(" (Dragonfly name)\n").append("# TYPE ").append(name).append(" gauge\n");
        boolean any = false;
        for (Gauge gauge : registry.find(source).gauges()) {
            text.append(name);
            List<Tag> tags = gauge.getId().getTags();
            if (!tags.isEmpty()) {
                text.append('{');
                for (int i = 0; i < tags.size(); i++) {
                    text.append(i == 0 ? "" : ",").append(tags.get(i).getKey()).append("=\"")
                            .append(escape(tags.get(i).getValue())).append('"');
                }
                text.append('}');
            }
            text.append(' ').append(format(gauge.value())).append('\n');
            any = true;
        }
        if (!any) {
            text.append(name).append(" 0\n");
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String format(double v) {
        return v == Math.rint(v) && !Double.isInfinite(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void appendGauge(StringBuilder text, String name, String help, long value) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(value).append('\n');
    }
}

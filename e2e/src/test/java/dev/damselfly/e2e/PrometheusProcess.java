package dev.damselfly.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (the Debian package {@code prometheus}, binary {@code /usr/bin/prometheus}) with its own
 * configuration and TSDB in a directory, listening on a free 127.0.0.1 port and scraping one target every second.
 */
final class PrometheusProcess implements AutoCloseable {
    /** The binary the Debian package {@code prometheus} installs. */
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    /** Scrape and evaluation interval written to the configuration: 1 s. */
    static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    /** How long Prometheus may take to answer 200 on {@code /-/ready}: 30 s. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** How long Prometheus may take to stop after SIGTERM before it is killed: 15 s. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Writes {@code dir/prometheus.yml}, starts Prometheus on it and waits until {@code /-/ready} answers 200.
     *
     * @param job    the scrape job name (becomes the {@code job} label)
     * @param target the {@code host:port} to scrape at {@code /metrics}
     * @throws IllegalStateException if the binary is missing, the process exits, or it is not ready in time
     */
    static PrometheusProcess start(Path dir, String job, String target) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " not found: install the Debian package `prometheus` "
                    + "(apt-get install -y prometheus; scripts/setup should do it)");
        }
        String seconds = SCRAPE_INTERVAL.toSeconds() + "s";
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: " + seconds,
                "  scrape_timeout: " + seconds,
                "  evaluation_interval: " + seconds,
                "scrape_configs:",
                "  - job_name: " + job,
                "    metrics_path: /metrics",
                "    static_configs:",
                "      - targets: ['" + target + "']",
                ""), StandardCharsets.UTF_8);
        int port = freePort();
        Path log = dir.resolve("prometheus.log");
        Process process = new ProcessBuilder(List.of(BINARY.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=info"))
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        PrometheusProcess prometheus = new PrometheusProcess(process, log, port);
        try {
            prometheus.awaitReady();
        } catch (RuntimeException | IOException | InterruptedException e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue() + " before it was ready\n"
                        + logText());
            }
            try {
                HttpResponse<String> response = get("/-/ready");
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body().trim();
            } catch (ConnectException e) {
                last = "connection refused";
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("prometheus on 127.0.0.1:" + port + " not ready within " + READY_TIMEOUT
                + " (last: " + last + ")\n" + logText());
    }

    /** {@code GET /api/v1/query?query=EXPR}: the whole JSON answer (status, data.resultType, data.result). */
    JsonNode query(String expr) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("prometheus query " + expr + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return answer;
    }

    /**
     * The value of an instant-vector query that matches exactly one series, or empty when it matches none.
     *
     * @throws IllegalStateException if it matches more than one series
     */
    static OptionalDouble singleValue(JsonNode answer) {
        JsonNode result = answer.path("data").path("result");
        if (result.size() == 0) {
            return OptionalDouble.empty();
        }
        if (result.size() > 1) {
            throw new IllegalStateException("expected one series, got " + result.size() + ": " + result);
        }
        return OptionalDouble.of(Double.parseDouble(result.get(0).path("value").get(1).asText()));
    }

    /** {@code GET /api/v1/targets} as text: the scrape targets with health and last error, for failure messages. */
    String targets() {
        try {
            return get("/api/v1/targets").body();
        } catch (IOException | InterruptedException e) {
            return "targets unavailable: " + e;
        }
    }

    /** Prometheus's own log so far. */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}

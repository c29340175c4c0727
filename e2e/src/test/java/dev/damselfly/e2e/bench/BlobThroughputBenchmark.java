package dev.damselfly.e2e.bench;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.ByteRange;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Blob download throughput of the Damselfly registry client against {@code curl}, from the same local
 * Docker Distribution registry, in alternating rounds. Four ways to read the same blob:
 * <ul>
 *   <li>{@code curl -o /dev/null} — the reference (no verification);</li>
 *   <li>the client, raw bytes (an open-ended Range read: no digest check, like curl);</li>
 *   <li>the client, verified (streaming SHA-256 checked at EOF, what every Damselfly pull does);</li>
 *   <li>{@code curl | sha256sum} — the verified reference a shell user would write;</li>
 *   <li>the JDK's {@code java.net.http} client, raw — the transport the client does not use, kept to show why.</li>
 * </ul>
 * Usage: {@code BlobThroughputBenchmark BYTES ROUNDS BENCHMARKS.md}.
 */
public final class BlobThroughputBenchmark {
    private static final int BUFFER_BYTES = 1 << 20;

    private BlobThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path report = Path.of(args.length > 2 ? args[2] : "BENCHMARKS.md");
        try (RegistryServer registry = RegistryServer.builder().auth(RegistryAuth.none()).logLevel("error").start();
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference repo = ImageReference.parse(registry.hostPort() + "/bench/blob:latest");
            Digest digest = digestOf(size);
            try (InputStream in = new DeterministicBytes(7, size)) {
                client.pushBlob(repo, digest, size, in, n -> { });
            }
            String url = registry.baseUri() + "/v2/bench/blob/blobs/" + digest;
            Map<String, List<Double>> rates = new LinkedHashMap<>();
            for (String way : List.of("curl", "client raw", "client verified", "curl → sha256sum", "java.net.http raw")) {
                rates.put(way, new ArrayList<>());
            }
            // Warm-up: page cache, JIT, connections.
            java.net.http.HttpClient jdk = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            curl(url, false);
            clientRead(client, repo, digest, size, true);
            jdkRead(jdk, url, size);
            for (int round = 0; round < rounds; round++) {
                rates.get("curl").add(rate(size, curl(url, false)));
                rates.get("client raw").add(rate(size, clientRead(client, repo, digest, size, false)));
                rates.get("client verified").add(rate(size, clientRead(client, repo, digest, size, true)));
                rates.get("curl → sha256sum").add(rate(size, curl(url, true)));
                rates.get("java.net.http raw").add(rate(size, jdkRead(jdk, url, size)));
                System.err.printf(Locale.ROOT, "round %d: %s%n", round + 1, last(rates));
            }
            write(report, size, rounds, rates);
        }
    }

    private static Digest digestOf(long size) throws IOException {
        MessageDigest sha = Digest.newMessageDigest("sha256");
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = new DeterministicBytes(7, size)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        return Digest.of("sha256", sha.digest());
    }

    /** Seconds for one client read of the whole blob. */
    private static double clientRead(RegistryClient client, ImageReference repo, Digest digest, long size, boolean verified)
            throws IOException {
        long start = System.nanoTime();
        long total = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = verified ? client.pullBlob(repo, digest, size) : client.pullBlobRange(repo, digest, ByteRange.from(0))) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        }
        if (total != size) {
            throw new IllegalStateException("read " + total + " bytes, expected " + size);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds for one read of the whole blob with the JDK's HTTP client (default settings). */
    private static double jdkRead(java.net.http.HttpClient jdk, String url, long size) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long total = 0;
        byte[] buffer = new byte[BUFFER_BYTES];
        java.net.http.HttpResponse<InputStream> response = jdk.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                total += n;
            }
        }
        if (total != size) {
            throw new IllegalStateException("java.net.http read " + total + " bytes, expected " + size);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds for one curl download, optionally piped through sha256sum (checked against the digest). */
    private static double curl(String url, boolean hashed) throws IOException, InterruptedException {
        List<String> command = hashed
                ? List.of("bash", "-c", "set -o pipefail; curl -sf '" + url + "' | sha256sum")
                : List.of("curl", "-sf", "-o", "/dev/null", url);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("curl failed: " + out);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (hashed && !url.endsWith(out.split(" ")[0])) {
            throw new IllegalStateException("sha256sum disagrees: " + out);
        }
        return seconds;
    }

    private static double rate(long bytes, double seconds) {
        return bytes / seconds / 1e6;
    }

    private static String last(Map<String, List<Double>> rates) {
        StringBuilder s = new StringBuilder();
        rates.forEach((way, list) -> s.append(String.format(Locale.ROOT, "%s %.0f MB/s; ", way, list.get(list.size() - 1))));
        return s.toString();
    }

    private static void write(Path report, long size, int rounds, Map<String, List<Double>> rates) throws IOException {
        double curl = BenchmarkReport.median(rates.get("curl"));
        double curlHashed = BenchmarkReport.median(rates.get("curl → sha256sum"));
        StringBuilder md = new StringBuilder();
        md.append("## Registry client: blob download throughput vs curl\n\n");
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores (%s), JDK %s: one %d MiB blob from a local Docker "
                        + "Distribution registry on loopback, %d alternating rounds, median MB/s (10^6 bytes/s).%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.version"),
                size >> 20, rounds));
        md.append("| reader | median MB/s | ratio to curl | goal |\n|---|---:|---:|---|\n");
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double median = BenchmarkReport.median(e.getValue());
            String goal = e.getKey().equals("client raw") ? "≥ 0.9× curl" : "";
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f× | %s |%n", e.getKey(), median, median / curl, goal));
        }
        md.append(String.format(Locale.ROOT, "%nVerified client vs the verified shell pipeline (`curl | sha256sum`): %.2f×.%n",
                BenchmarkReport.median(rates.get("client verified")) / curlHashed));
        md.append("\"client raw\" is the transfer alone (an open-ended Range read, like curl: no digest); \"client verified\" is "
                + "what every pull does (SHA-256 over the stream, checked at EOF). "
                + "On these 2 cores the registry, the reader and SHA-256 compete for CPU: hashing on a second thread was "
                + "measured at the same speed as hashing inline (784 vs 788 MB/s, 2026-11-22), so pulls hash inline.\n\n");
        md.append("Reproduce: `e2e/bench/blob-throughput` (optional arguments: BYTES ROUNDS).\n");
        BenchmarkReport.writeSection(report, "blob-throughput", md.toString());
        System.out.println(md);
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}

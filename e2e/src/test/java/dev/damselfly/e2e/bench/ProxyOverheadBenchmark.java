package dev.damselfly.e2e.bench;

import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpResponse;

/**
 * What the proxy's pass-through path costs, measured side by side against the same registry: blob
 * download throughput direct vs through the mirror, and manifest request latency direct vs through the
 * mirror (p50, p99). Usage: {@code ProxyOverheadBenchmark BLOB_BYTES ROUNDS MANIFEST_REQUESTS BENCHMARKS.md}.
 */
public final class ProxyOverheadBenchmark {
    private ProxyOverheadBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long size = args.length > 0 ? Long.parseLong(args[0]) : 512L << 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int requests = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Path report = Path.of(args.length > 3 ? args[3] : "BENCHMARKS.md");
        try (RegistryServer registry = RegistryServer.builder().auth(RegistryAuth.none()).logLevel("error").start();
             ProxyServer proxy = ProxyServer.start(ProxyConfig.builder().listen(new InetSocketAddress("127.0.0.1", 0))
                     .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort())))).build());
             CloseableHttpClient client = HttpClients.custom().disableContentCompression().build()) {
            String digest = Seed.push(registry, size);
            String manifestPath = Seed.pushManifest(registry, digest, size);
            String blobPath = "/v2/bench/proxy/blobs/" + digest;
            URI directBlob = URI.create(registry.baseUri() + blobPath);
            URI mirrorBlob = URI.create("http://" + proxy.hostPort() + blobPath + "?ns=" + registry.hostPort());
            URI directManifest = URI.create(registry.baseUri() + manifestPath);
            URI mirrorManifest = URI.create("http://" + proxy.hostPort() + manifestPath + "?ns=" + registry.hostPort());

            read(client, directBlob);
            read(client, mirrorBlob);
            List<Double> direct = new ArrayList<>();
            List<Double> mirrored = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                direct.add(size / read(client, directBlob) / 1e6);
                mirrored.add(size / read(client, mirrorBlob) / 1e6);
                System.err.printf(Locale.ROOT, "round %d: direct %.0f MB/s, mirror %.0f MB/s%n", round + 1,
                        direct.get(round), mirrored.get(round));
            }
            List<Double> directLatency = new ArrayList<>();
            List<Double> mirrorLatency = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                directLatency.add(read(client, directManifest) * 1000);
                mirrorLatency.add(read(client, mirrorManifest) * 1000);
            }
            write(report, size, rounds, requests, direct, mirrored, directLatency, mirrorLatency);
        }
    }

    /** Seconds to GET the whole body. */
    private static double read(CloseableHttpClient client, URI uri) throws IOException {
        long start = System.nanoTime();
        byte[] buffer = new byte[1 << 20];
        HttpGet get = new HttpGet(uri);
        get.setHeader("Accept", dev.damselfly.oci.MediaTypes.manifestAcceptHeader());
        try (ClassicHttpResponse response = client.executeOpen(null, get, null);
             InputStream in = response.getEntity().getContent()) {
            if (response.getCode() != 200) {
                throw new IllegalStateException(uri + " answered " + response.getCode());
            }
            while (in.read(buffer) >= 0) {
                // Discard: only the time counts.
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    private static void write(Path report, long size, int rounds, int requests, List<Double> direct, List<Double> mirrored,
                              List<Double> directLatency, List<Double> mirrorLatency) throws IOException {
        double d = BenchmarkReport.median(direct);
        double m = BenchmarkReport.median(mirrored);
        StringBuilder md = new StringBuilder();
        md.append("## Proxy: pass-through cost (registry mirror)\n\n");
        md.append(String.format(Locale.ROOT, "Measured %s on %d cores, JDK %s: a local Docker Distribution registry read "
                        + "directly and through `ProxyServer` in mirror mode (`?ns=`), alternating, same HTTP client.%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version")));
        md.append("| measure | direct | through the proxy | ratio | goal |\n|---|---:|---:|---:|---|\n");
        md.append(String.format(Locale.ROOT, "| blob GET, %d MiB, median of %d (MB/s) | %.0f | %.0f | %.2f× time | ≤ 1.1× time |%n",
                size >> 20, rounds, d, m, d / m));
        md.append(String.format(Locale.ROOT, "| manifest GET p50 (ms), %d requests | %.2f | %.2f | +%.2f ms | |%n", requests,
                percentile(directLatency, 0.5), percentile(mirrorLatency, 0.5),
                percentile(mirrorLatency, 0.5) - percentile(directLatency, 0.5)));
        md.append(String.format(Locale.ROOT, "| manifest GET p99 (ms) | %.2f | %.2f | +%.2f ms | added p99 ≤ 2 ms |%n",
                percentile(directLatency, 0.99), percentile(mirrorLatency, 0.99),
                percentile(mirrorLatency, 0.99) - percentile(directLatency, 0.99)));
        md.append("\nThis is the pass-through path only (no cache, no peers yet). Reproduce: `e2e/bench/proxy-overhead` "
                + "(optional arguments: BLOB_BYTES ROUNDS MANIFEST_REQUESTS).\n");
        BenchmarkReport.writeSection(report, "proxy-overhead", md.toString());
        System.out.println(md);
    }

    /** Puts the benchmark's blob and a manifest naming it into the registry. */
    private static final class Seed {
        static String push(RegistryServer registry, long size) throws Exception {
            try (dev.damselfly.oci.registry.RegistryClient client = dev.damselfly.oci.registry.RegistryClient.create(
                    dev.damselfly.oci.registry.RegistryClientConfig.builder().build())) {
                java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
                try (InputStream in = new DeterministicBytes(3, size)) {
                    byte[] buffer = new byte[1 << 20];
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        sha.update(buffer, 0, n);
                    }
                }
                dev.damselfly.oci.Digest digest = dev.damselfly.oci.Digest.of("sha256", sha.digest());
                dev.damselfly.oci.ImageReference repo = dev.damselfly.oci.ImageReference.parse(registry.hostPort() + "/bench/proxy:latest");
                try (InputStream in = new DeterministicBytes(3, size)) {
                    client.pushBlob(repo, digest, size, in, n -> { });
                }
                return digest.toString();
            }
        }

        static String pushManifest(RegistryServer registry, String layerDigest, long size) throws Exception {
            try (dev.damselfly.oci.registry.RegistryClient client = dev.damselfly.oci.registry.RegistryClient.create(
                    dev.damselfly.oci.registry.RegistryClientConfig.builder().build())) {
                dev.damselfly.oci.ImageReference repo = dev.damselfly.oci.ImageReference.parse(registry.hostPort() + "/bench/proxy:latest");
                byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
                dev.damselfly.oci.Digest configDigest = dev.damselfly.oci.Digest.sha256(config);
                client.pushBlob(repo, configDigest, config.length, new ByteArrayInputStream(config), n -> { });
                client.pushManifest(repo, dev.damselfly.oci.ManifestDocument.of(new dev.damselfly.oci.ImageManifest(2,
                        dev.damselfly.oci.MediaTypes.OCI_MANIFEST, null,
                        new dev.damselfly.oci.Descriptor(dev.damselfly.oci.MediaTypes.OCI_CONFIG, configDigest, config.length),
                        List.of(new dev.damselfly.oci.Descriptor(dev.damselfly.oci.MediaTypes.OCI_LAYER_TAR,
                                dev.damselfly.oci.Digest.parse(layerDigest), size)), null, null)));
                return "/v2/bench/proxy/manifests/latest";
            }
        }
    }
}

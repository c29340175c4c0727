package dev.damselfly.e2e.cluster;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Docker Distribution registry ({@code docker-registry serve}) inside a lab namespace, listening on the host's lab
 * address, filesystem storage under the work directory, access log on. Its stdout feeds a testkit {@link AccessLog}
 * (sync probe: a GET from the root namespace), so {@link #blobBytesServedSince} is exact while the link is up.
 */
final class LabRegistry {
    /** Port the registry listens on inside its namespace: {@value}. */
    static final int PORT = 5000;
    /** Binary (Debian package docker-registry): {@value}. */
    static final String BINARY = "/usr/bin/docker-registry";
    /** How long the registry may take to answer {@code /v2/}: 30 s. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(LabRegistry.class);

    private final NetworkLab.Host host;
    private final LabProcess process;
    private final AccessLog accessLog;

    /** The registry process's id. */
    long pid() {
        return process.pid();
    }

    private LabRegistry(NetworkLab.Host host, LabProcess process, AccessLog accessLog) {
        this.host = host;
        this.process = process;
        this.accessLog = accessLog;
    }

    static LabRegistry start(NetworkLab lab, NetworkLab.Host host, Path work) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            throw new LabException("docker-registry is not installed at " + BINARY + " (Debian package docker-registry)");
        }
        Path dir = Files.createDirectories(work.resolve("registry"));
        Path storage = Files.createDirectories(dir.resolve("storage"));
        String config = String.join("\n",
                "version: 0.1",
                "log:",
                "  level: warn",
                "  formatter: text",
                "  accesslog:",
                "    disabled: false",
                "storage:",
                "  filesystem:",
                "    rootdirectory: \"" + storage + "\"",
                "  maintenance:",
                "    uploadpurging:",
                "      enabled: false",
                "http:",
                "  addr: \"" + host.ip() + ":" + PORT + "\"",
                "  secret: \"damselfly-lab-registry-secret\"",
                "health:",
                "  storagedriver:",
                "    enabled: false",
                "");
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config, StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        URI base = URI.create("http://" + host.ip() + ":" + PORT);
        AccessLog log = new AccessLog(query -> http.send(HttpRequest.newBuilder(base.resolve("/v2/?" + query))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()));
        LabProcess process = LabProcess.start(lab, host, "registry", java.util.List.of(BINARY, "serve", configFile.toString()),
                dir.resolve("registry.err"), null, log::accept);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try {
                int status = http.send(HttpRequest.newBuilder(base.resolve("/v2/")).timeout(Duration.ofSeconds(1)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    break;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (!process.alive() || System.nanoTime() > deadline) {
                process.kill();
                throw new LabException("registry on " + base + " did not answer /v2/ within " + START_TIMEOUT + "\n"
                        + process.tail(4000));
            }
            Thread.sleep(50);
        }
        LOG.info("lab registry ready host={} addr={}", host.name(), base);
        return new LabRegistry(host, process, log);
    }

    NetworkLab.Host host() {
        return host;
    }

    /** {@code IP:5000}, the registry's name in mirror URLs ({@code ?ns=}) and in the nodes' allowlist. */
    String hostPort() {
        return host.ip() + ":" + PORT;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /**
     * Pushes {@code size} deterministic random bytes (seeded) as a blob of {@code repo}.
     *
     * @return the blob's digest ({@code sha256:…})
     */
    String pushBlob(String repo, long seed, long size) throws Exception {
        Digest digest = Digest.of("sha256", sha256(seed, size));
        RegistryClientConfig config = RegistryClientConfig.builder().plainHttpRegistries(Set.of(hostPort())).build();
        try (RegistryClient client = RegistryClient.create(config); InputStream in = new DeterministicBytes(seed, size)) {
            client.pushBlob(ImageReference.parse(hostPort() + "/" + repo + ":latest"), digest, size, in, n -> { });
        }
        LOG.info("lab registry blob pushed repo={} digest={} bytes={}", repo, digest, size);
        return digest.toString();
    }

    private static byte[] sha256(long seed, long size) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DeterministicBytes(seed, size)) {
            byte[] buffer = new byte[1 << 20];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                sha.update(buffer, 0, n);
            }
        }
        return sha.digest();
    }

    /** A mark at the current end of the access log (synced first: everything already answered is in). */
    AccessLog.Mark mark() {
        accessLog.sync();
        return accessLog.mark();
    }

    /**
     * Bytes of blob GET responses since the mark. Syncs when the link is up; otherwise waits for the log to settle
     * (a registry cut off from the lab still logs the requests it had finished).
     */
    long blobBytesServedSince(AccessLog.Mark mark, boolean linkUp) {
        if (linkUp) {
            accessLog.sync();
        } else {
            accessLog.awaitSettled(Duration.ofMillis(500), Duration.ofSeconds(10));
        }
        return accessLog.since(mark).bytesServed(AccessLogEntry::isBlobGet);
    }

    /** Bytes of blob GET responses of one repository (e.g. {@code debian/nydus}) since the mark; syncs first. */
    long blobBytesServedSince(AccessLog.Mark mark, String repository) {
        accessLog.sync();
        return accessLog.since(mark).bytesServed(e -> e.isBlobGet() && e.repository().map(repository::equals).orElse(false));
    }

    void close() {
        process.stop(Duration.ofSeconds(5));
    }
}

package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.junit.RegistryExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link RegistryBlobOrigin} against a real docker-registry, alone and under the engine. */
class RegistryBlobOriginTest {
    @RegisterExtension
    static RegistryExtension registry = RegistryExtension.anonymous();

    private static final int PIECE = 128 << 10;
    private static final byte[] BLOB = DeterministicBytes.bytes(21, 10 * PIECE + 777); // 11 pieces
    private static RegistryClient client;
    private static ImageReference repo;
    private static Digest digest;

    @TempDir
    Path dir;

    @BeforeAll
    static void push() throws IOException {
        client = RegistryClient.create(RegistryClientConfig.builder().initialBackoff(Duration.ofMillis(10)).build());
        repo = ImageReference.parse(registry.hostPort() + "/engine/blob:latest");
        digest = Digest.sha256(BLOB);
        client.pushBlob(repo, digest, BLOB.length, new ByteArrayInputStream(BLOB), n -> { });
    }

    @AfterAll
    static void closeClient() {
        client.close();
    }

    @Test
    void readsLengthAndRanges() throws Exception {
        RegistryBlobOrigin origin = new RegistryBlobOrigin(client, repo, digest);
        assertEquals(BLOB.length, origin.contentLength());
        byte[] part = readAll(origin.openRange(PIECE - 3, 1000));
        byte[] expected = new byte[1000];
        System.arraycopy(BLOB, PIECE - 3, expected, 0, 1000);
        assertArrayEquals(expected, part);
        assertTrue(origin.describe().endsWith("/engine/blob@" + digest), origin.describe());

        RegistryBlobOrigin missing = new RegistryBlobOrigin(client, repo, Digest.sha256(new byte[] {1}));
        assertThrows(IOException.class, missing::contentLength);
    }

    @Test
    void theEngineDownloadsABlobFromTheRegistryInRangesThatCoverItOnce() throws Exception {
        try (InProcessSwarm swarm = new InProcessSwarm();
             EngineNode node = new EngineNode(1, dir, null, EngineConfig.defaults(), swarm)) {
            String url = "http://" + registry.hostPort() + "/v2/engine/blob/blobs/" + digest;
            TaskRequest r = TaskRequest.of(digest.hex(), url, new RegistryBlobOrigin(client, repo, digest))
                    .withPieceLength(PIECE).withExpectedSha256(digest.toString());
            AccessLog.Mark mark = registry.server().accessLog().mark();
            TaskDownload d = node.engine.download(r);
            DownloadResult result = d.completion().get(30, TimeUnit.SECONDS);
            assertEquals(sha256(BLOB), result.sha256().orElseThrow());
            assertEquals(BLOB.length, result.bytes(PieceSource.BACK_TO_SOURCE));
            assertArrayEquals(BLOB, readAll(d.openStream(0, BLOB.length)));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            List<AccessLogEntry> gets = List.of();
            while (System.nanoTime() < deadline) { // the registry may write its last log line a moment after the bytes
                gets = registry.server().accessLog().since(mark).stream().filter(AccessLogEntry::isBlobGet).toList();
                if (gets.stream().mapToLong(AccessLogEntry::bytes).sum() >= BLOB.length) {
                    break;
                }
                Thread.sleep(20);
            }
            assertEquals(BLOB.length, gets.stream().mapToLong(AccessLogEntry::bytes).sum(), "the blob's bytes once: " + gets);
            assertTrue(gets.size() < 11, "fewer Range GETs than the 11 pieces: " + gets);
        }
    }
}

package dev.damselfly.oci.registry;

import static dev.damselfly.oci.registry.RegistryTestSupport.content;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushBlob;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushImage;
import static dev.damselfly.oci.registry.RegistryTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.ImageIndex;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real Docker Distribution registry without authentication. */
class RegistryClientAnonymousTest {
    private static RegistryServer registry;
    private static RegistryClient client;

    @BeforeAll
    static void start() {
        registry = RegistryServer.start(RegistryAuth.none());
        client = RegistryTestSupport.client();
    }

    @AfterAll
    static void stop() {
        client.close();
        registry.close();
    }

    private static ImageReference repo(String name) {
        return ImageReference.parse(registry.hostPort() + "/" + name + ":latest");
    }

    @Test
    void pushesPullsAndHeadsAVerifiedBlob() throws Exception {
        ImageReference repo = repo("blobs/plain");
        byte[] bytes = content(1, 300_000);
        Descriptor d = pushBlob(client, repo, bytes, MediaTypes.OCI_LAYER_TAR);
        assertEquals(bytes.length, client.blobSize(repo, d.digest()).orElseThrow());
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, d.digest(), bytes.length)));
        assertTrue(client.blobSize(repo, Digest.sha256(new byte[] {1})).isEmpty());
    }

    @Test
    void chunkedPushOfABlobLargerThanOneChunk() throws Exception {
        ImageReference repo = repo("blobs/chunked");
        byte[] bytes = content(2, 3 * 1024 * 1024 + 12345);
        Digest digest = Digest.sha256(bytes);
        try (RegistryClient small = RegistryClient.create(RegistryClientConfig.builder().pushChunkBytes(1 << 20).build())) {
            AccessLog.Mark mark = registry.accessLog().mark();
            small.pushBlob(repo, digest, bytes.length, new ByteArrayInputStream(bytes), n -> { });
            long patches = registry.accessLog().awaitMatching(mark, e -> e.method().equals("PATCH"), 4, Duration.ofSeconds(5))
                    .count(e -> e.method().equals("PATCH"));
            assertEquals(4, patches, "3 MiB + 12345 bytes in 1 MiB chunks is 4 PATCH requests");
        }
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
    }

    @Test
    void anUploadWhoseBytesComeInPiecesAndWhoseDigestComesLast() throws Exception {
        ImageReference repo = repo("blobs/session");
        byte[] bytes = content(7, 2 * 1024 * 1024 + 777);
        Digest digest = Digest.sha256(bytes);
        AccessLog.Mark mark = registry.accessLog().mark();
        try (BlobUpload upload = client.startBlobUpload(repo)) {
            assertTrue(client.blobSize(repo, digest).isEmpty());
            upload.append(bytes, 0, 1 << 20);
            upload.append(bytes, 1 << 20, 1 << 20);
            upload.append(bytes, 2 << 20, 777);
            assertEquals(bytes.length, upload.uploaded());
            upload.complete(digest);
        }
        assertEquals(3, registry.accessLog().awaitMatching(mark, e -> e.method().equals("PATCH"), 3, Duration.ofSeconds(5))
                .count(e -> e.method().equals("PATCH")));
        assertEquals(0, registry.accessLog().since(mark).count(e -> e.method().equals("DELETE")), "a completed upload is kept");
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
    }

    @Test
    void anUploadWithTheWrongDigestIsRefusedAndCancelledOnClose() throws Exception {
        ImageReference repo = repo("blobs/session-wrong");
        byte[] bytes = content(8, 100_000);
        Digest wrong = Digest.sha256(new byte[] {8});
        AccessLog.Mark mark = registry.accessLog().mark();
        try (BlobUpload upload = client.startBlobUpload(repo)) {
            upload.append(bytes, 0, bytes.length);
            assertThrows(RegistryException.class, () -> upload.complete(wrong));
        }
        registry.accessLog().awaitMatching(mark, e -> e.method().equals("DELETE"), 1, Duration.ofSeconds(5));
        assertTrue(client.blobSize(repo, wrong).isEmpty());
        assertTrue(client.blobSize(repo, Digest.sha256(bytes)).isEmpty(), "nothing stored under the bytes' real digest");
    }

    @Test
    void rangeReads() throws Exception {
        ImageReference repo = repo("blobs/ranges");
        byte[] bytes = content(3, 100_000);
        Digest digest = pushBlob(client, repo, bytes, MediaTypes.OCI_LAYER_TAR).digest();
        assertArrayEquals(Arrays.copyOfRange(bytes, 0, 1), readAll(client.pullBlobRange(repo, digest, ByteRange.of(0, 1))), "first byte");
        assertArrayEquals(Arrays.copyOfRange(bytes, 40_000, 50_000),
                readAll(client.pullBlobRange(repo, digest, ByteRange.of(40_000, 10_000))), "middle");
        assertArrayEquals(Arrays.copyOfRange(bytes, 99_999, 100_000),
                readAll(client.pullBlobRange(repo, digest, ByteRange.of(99_999, 1))), "last byte");
        assertArrayEquals(Arrays.copyOfRange(bytes, 99_000, 100_000),
                readAll(client.pullBlobRange(repo, digest, ByteRange.suffix(1000))), "suffix");
        assertArrayEquals(Arrays.copyOfRange(bytes, 90_000, 100_000),
                readAll(client.pullBlobRange(repo, digest, ByteRange.from(90_000))), "open end");
        RegistryException.RangeNotSatisfiableException e = assertThrows(RegistryException.RangeNotSatisfiableException.class,
                () -> client.pullBlobRange(repo, digest, ByteRange.of(100_000, 10)));
        assertEquals(416, e.status());
        assertTrue(e.getMessage().contains(digest.toString()), e.getMessage());
    }

    @Test
    void manifestsByTagAndDigestAndIndexPlatformResolution() throws Exception {
        ImageReference amd = repo("images/multi").withTag("amd64");
        ImageReference arm = repo("images/multi").withTag("arm64");
        ManifestDocument amdManifest = pushImage(client, amd, content(4, 1000));
        ManifestDocument armManifest = pushImage(client, arm, content(5, 1000));
        ManifestDocument pulled = client.pullManifest(amd);
        assertEquals(amdManifest.digest(), pulled.digest());
        assertArrayEquals(amdManifest.bytes(), pulled.bytes());
        assertEquals(amdManifest.digest(), client.headManifest(amd).orElseThrow().digest());
        assertEquals(amdManifest.digest(), client.pullManifest(amd.withDigest(amdManifest.digest())).digest());

        Descriptor amdEntry = new Descriptor(MediaTypes.OCI_MANIFEST, amdManifest.digest().toString(), amdManifest.size(), null, null,
                Platform.parse("linux/amd64"), null);
        Descriptor armEntry = new Descriptor(MediaTypes.OCI_MANIFEST, armManifest.digest().toString(), armManifest.size(), null, null,
                Platform.parse("linux/arm64/v8"), null);
        ImageReference multi = repo("images/multi").withTag("multi");
        ManifestDocument index = ManifestDocument.of(new ImageIndex(2, MediaTypes.OCI_INDEX, List.of(amdEntry, armEntry), Map.of()));
        client.pushManifest(multi, index);
        assertTrue(client.pullManifest(multi).isIndex());
        assertEquals(armManifest.digest(), client.resolveManifest(multi, Platform.parse("linux/arm64")).digest());
        assertEquals(amdManifest.digest(), client.resolveManifest(multi, Platform.parse("linux/amd64")).digest());
        assertThrows(RegistryException.NotFoundException.class, () -> client.resolveManifest(multi, Platform.parse("linux/s390x")));
    }

    @Test
    void crossRepositoryMount() throws Exception {
        ImageReference source = repo("mount/source");
        ImageReference target = repo("mount/target");
        byte[] bytes = content(6, 50_000);
        Digest digest = pushBlob(client, source, bytes, MediaTypes.OCI_LAYER_TAR).digest();
        assertTrue(client.blobSize(target, digest).isEmpty());
        assertTrue(client.mountBlob(target, digest, "mount/source"));
        assertEquals(bytes.length, client.blobSize(target, digest).orElseThrow());
        Digest absent = Digest.sha256(content(7, 10));
        assertFalse(client.mountBlob(repo("mount/other"), absent, "mount/source"), "a blob the source lacks is not mounted");
    }

    @Test
    void unknownManifestAndBlobAreTypedNotFound() {
        RegistryException.NotFoundException e = assertThrows(RegistryException.NotFoundException.class,
                () -> client.pullManifest(repo("absent/repo")));
        assertEquals(404, e.status());
        assertTrue(e.getMessage().contains("absent/repo"), e.getMessage());
        assertThrows(RegistryException.NotFoundException.class,
                () -> client.pullBlob(repo("absent/repo"), Digest.sha256(new byte[] {9}), 1));
    }

    @Test
    void corruptBlobInStorageIsADigestMismatch() throws Exception {
        ImageReference repo = repo("blobs/corrupt");
        byte[] bytes = content(8, 20_000);
        Digest digest = pushBlob(client, repo, bytes, MediaTypes.OCI_LAYER_TAR).digest();
        Path data = registry.storageDir().resolve("docker/registry/v2/blobs/sha256/" + digest.hex().substring(0, 2) + "/"
                + digest.hex() + "/data");
        byte[] stored = Files.readAllBytes(data);
        stored[10_000] ^= 0x01;
        Files.write(data, stored);
        try (InputStream in = client.pullBlob(repo, digest, bytes.length)) {
            DigestMismatchException e = assertThrows(DigestMismatchException.class, in::readAllBytes);
            assertEquals(digest, e.expected());
            assertEquals(Digest.sha256(stored).toString(), e.actual());
        }
    }
}

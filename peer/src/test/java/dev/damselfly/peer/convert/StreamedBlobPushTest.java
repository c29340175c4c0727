package dev.damselfly.peer.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.BlobUpload;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A blob pushed in chunks while it is written, against a real Docker Distribution registry. */
class StreamedBlobPushTest {
    private static final int CHUNK = 64 * 1024;

    private static byte[] bytes(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static RegistryClient client(RegistryServer registry) {
        return RegistryClient.create(RegistryClientConfig.builder().plainHttpRegistries(Set.of(registry.hostPort())).build());
    }

    /** Writes {@code bytes} in writes of 1 to 50,000 bytes. */
    private static void writeInPieces(StreamedBlobPush push, byte[] bytes) throws IOException {
        SplittableRandom sizes = new SplittableRandom(1);
        int off = 0;
        while (off < bytes.length) {
            int n = Math.min(bytes.length - off, 1 + sizes.nextInt(50_000));
            push.write(bytes, off, n);
            off += n;
        }
    }

    @Test
    void bytesWrittenInPiecesArriveAsOneBlobInChunkSizedPatches() throws Exception {
        byte[] blob = bytes(1, 5 * CHUNK + 123);
        Digest digest = Digest.sha256(blob);
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none()); RegistryClient client = client(registry)) {
            ImageReference repo = ImageReference.parse(registry.hostPort() + "/streamed/ok:v1");
            AccessLog.Mark mark = registry.accessLog().mark();
            try (BlobUpload upload = client.startBlobUpload(repo)) {
                StreamedBlobPush push = new StreamedBlobPush(upload, CHUNK, "test");
                writeInPieces(push, blob);
                push.finish();
                assertEquals(blob.length, push.uploaded());
                upload.complete(digest);
            }
            assertEquals(6, registry.accessLog().awaitMatching(mark, e -> e.method().equals("PATCH"), 6, Duration.ofSeconds(5))
                    .count(e -> e.method().equals("PATCH")), "5 full chunks and the rest");
            try (InputStream in = client.pullBlob(repo, digest, blob.length)) {
                assertArrayEquals(blob, in.readAllBytes());
            }
        }
    }

    @Test
    void abandoningCancelsTheUploadAndStoresNothing() throws Exception {
        byte[] blob = bytes(2, 3 * CHUNK);
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none()); RegistryClient client = client(registry)) {
            ImageReference repo = ImageReference.parse(registry.hostPort() + "/streamed/abandoned:v1");
            AccessLog.Mark mark = registry.accessLog().mark();
            StreamedBlobPush push = new StreamedBlobPush(client.startBlobUpload(repo), CHUNK, "test");
            push.write(blob, 0, 2 * CHUNK + 10);
            push.abandon();
            assertEquals(1, registry.accessLog().awaitMatching(mark, e -> e.method().equals("DELETE"), 1, Duration.ofSeconds(5))
                    .count(e -> e.method().equals("DELETE")));
            assertThrows(IOException.class, () -> push.write(blob, 0, 1), "nothing is written after the end");
            assertTrue(client.blobSize(repo, Digest.sha256(blob)).isEmpty());
        }
    }

    @Test
    void aRegistryThatGoesAwayFailsTheWriterWithTheCause() throws Exception {
        byte[] blob = bytes(3, 40 * CHUNK);
        RegistryServer registry = RegistryServer.start(RegistryAuth.none());
        try (RegistryClient client = client(registry)) {
            ImageReference repo = ImageReference.parse(registry.hostPort() + "/streamed/gone:v1");
            StreamedBlobPush push = new StreamedBlobPush(client.startBlobUpload(repo), CHUNK, "test");
            push.write(blob, 0, CHUNK);
            registry.close();
            IOException e = assertThrows(IOException.class, () -> {
                writeInPieces(push, blob);
                push.finish();
            });
            assertTrue(e.getMessage().startsWith("blob push failed after "), e.getMessage());
            push.abandon(); // returns: the sender has stopped
        } finally {
            registry.close();
        }
    }
}

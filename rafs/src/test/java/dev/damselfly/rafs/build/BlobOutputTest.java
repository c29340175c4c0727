package dev.damselfly.rafs.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobOutputTest {

    @Test
    void theBlobIdLeavesOutExactlyTheBytesMarkedSoAndTheLayerDigestCoversAll() throws Exception {
        Random random = new Random(7);
        byte[] data = new byte[100_000];
        byte[] excluded = new byte[4096];
        byte[] tail = new byte[333];
        random.nextBytes(data);
        random.nextBytes(excluded);
        random.nextBytes(tail);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        Path file = tmp.resolve("blob");
        try (BlobOutput out = new BlobOutput(file, copy)) {
            out.write(data, 0, 60_000);
            assertArrayEquals(sha256(data, 0, 60_000), out.builderDigestSoFar(), "one digest before any byte left out");
            out.write(data, 60_000, 40_000);
            out.write(excluded, 0, excluded.length, false);
            out.write(tail);
            assertArrayEquals(sha256(data, tail), out.builderDigestSoFar());
            assertArrayEquals(sha256(data, excluded, tail), out.allDigestSoFar());
            out.write(tail);
            assertArrayEquals(sha256(data, excluded, tail, tail), out.allDigestSoFar(), "digests go on after a snapshot");
            assertArrayEquals(sha256(data, tail, tail), out.builderDigestSoFar());
        }
        byte[] all = Files.readAllBytes(file);
        assertArrayEquals(sha256(data, excluded, tail, tail), sha256(all));
        assertArrayEquals(all, copy.toByteArray());
    }

    private static byte[] sha256(byte[] b, int off, int len) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, off, len);
        return md.digest();
    }

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    @TempDir
    Path tmp;
}

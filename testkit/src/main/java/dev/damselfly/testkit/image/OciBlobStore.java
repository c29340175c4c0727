package dev.damselfly.testkit.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code blobs/sha256/} directory of an OCI layout: streams content to a temporary file while
 * digesting it, then renames it to its digest. Layers are digested twice on the fly (compressed
 * blob and uncompressed diff_id) without holding them in memory.
 */
final class OciBlobStore {

    private static final int FILE_BUFFER = 256 * 1024;

    private final Path dir;

    OciBlobStore(Path layoutDir) throws IOException {
        this.dir = Files.createDirectories(layoutDir.resolve("blobs").resolve("sha256"));
    }

    /** @return the digest of the stored bytes */
    String write(byte[] content) throws IOException {
        String digest = Digests.sha256(content);
        Path target = pathOf(digest);
        if (!Files.exists(target)) {
            Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return digest;
    }

    LayerDescriptor writeLayer(LayerTarBuilder tar, LayerCompression compression, int gzipLevel) throws IOException {
        Path tmp = dir.resolve(".tmp-" + UUID.randomUUID());
        try {
            DigestingOutputStream blob;
            DigestingOutputStream uncompressed;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), FILE_BUFFER)) {
                blob = new DigestingOutputStream(file);
                if (compression == LayerCompression.GZIP) {
                    GZIPOutputStream gzip = new LeveledGzipOutputStream(blob, gzipLevel);
                    uncompressed = new DigestingOutputStream(gzip);
                    tar.writeTo(uncompressed);
                    gzip.finish();
                } else {
                    uncompressed = blob;
                    tar.writeTo(uncompressed);
                }
                blob.flush();
            }
            String digest = blob.digest();
            String diffId = compression == LayerCompression.GZIP ? uncompressed.digest() : digest;
            Files.move(tmp, pathOf(digest), StandardCopyOption.REPLACE_EXISTING);
            return new LayerDescriptor(compression.mediaType(), digest, blob.count(), diffId, uncompressed.count());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    Path pathOf(String digest) {
        return dir.resolve(digest.substring("sha256:".length()));
    }

    /** gzip with a chosen deflate level; header mtime 0, so output depends only on input and zlib. */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, FILE_BUFFER);
            def.setLevel(level);
        }
    }

    static int defaultGzipLevel() {
        return Deflater.DEFAULT_COMPRESSION;
    }
}

package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A RAFS v6 image built here by the project's {@link LayerBuilder} from a testkit layer tar: the bootstrap and
 * a blob directory holding the blob under its id (what {@code FileBlobSource.directory} serves), with the
 * expected bytes of every regular file.
 */
record BuiltImage(Path bootstrap, Path blobDir, String blobId, Map<String, byte[]> files) {

    /** The blob file inside {@link #blobDir()}. */
    Path blob() {
        return blobDir.resolve(blobId);
    }

    /**
     * A small tree of {@code /etc/hostname} (text), {@code /usr/lib/a.bin} (random, 5 chunks), {@code /usr/share/b.txt}
     * (text, 3 chunks) and {@code /usr/bin/tool} (random, one chunk), built with 64 KiB zstd chunks and BLAKE3
     * digests into {@code dir}.
     */
    static BuiltImage small(Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("etc/hostname", "damselfly\n".getBytes(StandardCharsets.UTF_8));
        files.put("usr/lib/a.bin", DeterministicBytes.bytes(11, 5 * 65_536 - 1_000));
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3 * 65_536 - 5_000; i++) {
            text.append("line ").append(i).append(" of a compressible text file\n");
        }
        files.put("usr/share/b.txt", text.toString().getBytes(StandardCharsets.UTF_8));
        files.put("usr/bin/tool", DeterministicBytes.bytes(12, 40_000));
        LayerTarBuilder tar = LayerTarBuilder.create();
        for (String d : List.of("etc", "usr", "usr/lib", "usr/share", "usr/bin")) {
            tar.directory(d, 0755);
        }
        files.forEach((path, bytes) -> tar.file(path, 0644, bytes));
        return build(dir, tar, LayerBuildOptions.defaults().withChunkSize(64 << 10), files);
    }

    static BuiltImage build(Path dir, LayerTarBuilder tar, LayerBuildOptions opts, Map<String, byte[]> files)
            throws IOException {
        Files.createDirectories(dir);
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        LayerBuildResult r = new LayerBuilder(opts)
                .build(new ByteArrayInputStream(tar.toByteArray()), dir.resolve("image.boot"), dir.resolve("image.blob"));
        Files.move(r.blob(), blobs.resolve(r.blobId()));
        return new BuiltImage(r.bootstrap(), blobs, r.blobId(), files);
    }

    /** The chunks of regular file {@code path} ("usr/lib/a.bin"), from the bootstrap. */
    List<ChunkRef> chunksOf(String path) throws IOException {
        try (RafsImage image = RafsImages.open(bootstrap)) {
            List<ChunkRef> chunks = image.chunks(image.resolve("/" + path).getAsLong());
            assertTrue(!chunks.isEmpty(), path + " has chunks");
            return chunks;
        }
    }

    /** Flips two bytes in the middle of {@code chunk}'s stored bytes in the blob file. */
    void corrupt(ChunkRef chunk) throws IOException {
        byte[] bytes = Files.readAllBytes(blob());
        int at = (int) (chunk.compressedOffset() + chunk.compressedSize() / 2);
        bytes[at] ^= 0x5A;
        bytes[at + 1] ^= 0x5A;
        Files.write(blob(), bytes);
    }
}

package dev.damselfly.testkit.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestImageGeneratorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesAValidOciLayout(@TempDir Path dir) throws IOException {
        TestImage image = TestImageGenerator.builder().seed(4).layers(3).tag("v1").writeLayout(dir.resolve("layout"));
        Path layout = image.layoutDir();

        assertEquals("1.0.0", JSON.readTree(layout.resolve("oci-layout").toFile()).get("imageLayoutVersion").asText());
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        assertEquals(2, index.get("schemaVersion").asInt());
        JsonNode ref = index.get("manifests").get(0);
        assertEquals(OciMediaTypes.IMAGE_MANIFEST, ref.get("mediaType").asText());
        assertEquals(image.manifestDigest(), ref.get("digest").asText());
        assertEquals(image.manifestBytes().length, ref.get("size").asLong());
        assertEquals("v1", ref.get("annotations").get(OciMediaTypes.REF_NAME_ANNOTATION).asText());

        // every blob file is named after its content digest
        try (Stream<Path> blobs = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path blob : blobs.toList()) {
                assertEquals("sha256:" + blob.getFileName(), Digests.sha256(blob), blob.toString());
            }
        }
        assertArrayEquals(image.manifestBytes(), Files.readAllBytes(image.blobPath(image.manifestDigest())));

        JsonNode manifest = JSON.readTree(image.manifestBytes());
        assertEquals(OciMediaTypes.IMAGE_MANIFEST, manifest.get("mediaType").asText());
        assertEquals(image.configDigest(), manifest.get("config").get("digest").asText());
        assertEquals(3, manifest.get("layers").size());

        JsonNode config = JSON.readTree(image.configBytes());
        assertEquals("linux", config.get("os").asText());
        assertEquals("amd64", config.get("architecture").asText());
        assertEquals(3, config.get("history").size());
        List<String> diffIds = new ArrayList<>();
        config.get("rootfs").get("diff_ids").forEach(n -> diffIds.add(n.asText()));
        assertEquals(image.diffIds(), diffIds);

        for (int i = 0; i < 3; i++) {
            LayerDescriptor layer = image.layers().get(i);
            assertEquals(OciMediaTypes.LAYER_TAR_GZIP, layer.mediaType());
            assertEquals(layer.digest(), manifest.get("layers").get(i).get("digest").asText());
            assertEquals(Files.size(image.blobPath(layer.digest())), layer.size());
            try (InputStream gz = new GZIPInputStream(Files.newInputStream(image.blobPath(layer.digest())))) {
                assertEquals(layer.diffId(), Digests.sha256(gz), "diff_id is the sha256 of the uncompressed tar");
            }
            assertNotEquals(layer.digest(), layer.diffId());
        }
        // the bottom layer is the all-entry-types tree, the others delete from the layer below
        assertTrue(tarNames(image, 0).contains(TestTrees.HARD_LINK));
        assertTrue(tarNames(image, 2).contains("layer-1/.wh.file-0.bin"));
        assertTrue(tarNames(image, 2).contains("layer-1/sub/.wh..wh..opq"));
    }

    @Test
    void sameSeedGivesTheSameImageDifferentSeedDoesNot(@TempDir Path dir) throws IOException {
        TestImage a = TestImageGenerator.builder().seed(21).writeLayout(dir.resolve("a"));
        TestImage b = TestImageGenerator.builder().seed(21).writeLayout(dir.resolve("b"));
        TestImage c = TestImageGenerator.builder().seed(22).writeLayout(dir.resolve("c"));
        assertEquals(a.manifestDigest(), b.manifestDigest());
        assertEquals(a.layers(), b.layers());
        assertArrayEquals(Files.readAllBytes(a.layoutDir().resolve("index.json")), Files.readAllBytes(b.layoutDir().resolve("index.json")));
        assertEquals(fileNames(a.layoutDir().resolve("blobs/sha256")), fileNames(b.layoutDir().resolve("blobs/sha256")));
        assertNotEquals(a.manifestDigest(), c.manifestDigest());
    }

    @Test
    void uncompressedLayersAndAStreamedLargeLayer(@TempDir Path dir) throws IOException {
        long large = 48L << 20;
        TestImage image = TestImageGenerator.builder().seed(3).layers(1).allEntryTypesLayer(false)
                .compression(LayerCompression.NONE).largeLayerBytes(large).writeLayout(dir.resolve("l"));
        assertEquals(2, image.layers().size());
        for (LayerDescriptor layer : image.layers()) {
            assertEquals(OciMediaTypes.LAYER_TAR, layer.mediaType());
            assertEquals(layer.digest(), layer.diffId());
            assertEquals(layer.size(), layer.uncompressedSize());
        }
        LayerDescriptor big = image.layers().get(1);
        assertTrue(big.size() > large && big.size() < large + 10_240 + 2048);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(image.blobPath(big.digest())))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null && !e.getName().equals(TestImageGenerator.LARGE_FILE)) {
                // skip the directory
            }
            assertEquals(large, e.getSize());
            assertEquals(Digests.sha256(new DeterministicBytes(3 ^ 0x1A26EL, large)), Digests.sha256(tar));
        }
        assertTrue(JSON.readTree(image.configBytes()).get("history").get(1).get("created_by").asText().contains("large"));

        TestImage gz = TestImageGenerator.builder().seed(3).layers(1).allEntryTypesLayer(false)
                .largeLayerBytes(large).writeLayout(dir.resolve("g"));
        assertEquals(big.diffId(), gz.layers().get(1).diffId(), "same uncompressed content, gzip'd (stored) blob");
        assertEquals(OciMediaTypes.LAYER_TAR_GZIP, gz.layers().get(1).mediaType());
    }

    @Test
    void multiPlatformIndex(@TempDir Path dir) throws IOException {
        TestImage image = TestImageGenerator.builder().seed(8).layers(2).multiPlatform(true).writeLayout(dir.resolve("m"));
        TestImage single = TestImageGenerator.builder().seed(8).layers(2).writeLayout(dir.resolve("s"));
        assertEquals(2, image.platforms().size());
        assertEquals(single.manifestDigest(), image.manifestDigest(), "amd64 equals the single-platform image");
        assertEquals(image.indexDigest(), image.referenceDigest());
        JsonNode layoutIndex = JSON.readTree(image.layoutDir().resolve("index.json").toFile()).get("manifests").get(0);
        assertEquals(OciMediaTypes.IMAGE_INDEX, layoutIndex.get("mediaType").asText());
        assertEquals(image.indexDigest(), layoutIndex.get("digest").asText());

        JsonNode index = JSON.readTree(image.indexBytes());
        assertEquals(Digests.sha256(image.indexBytes()), image.indexDigest());
        assertEquals("amd64", index.get("manifests").get(0).get("platform").get("architecture").asText());
        JsonNode arm = index.get("manifests").get(1);
        assertEquals("arm64", arm.get("platform").get("architecture").asText());
        assertEquals("v8", arm.get("platform").get("variant").asText());
        PlatformImage armImage = image.platforms().get(1);
        assertEquals(armImage.manifestDigest(), arm.get("digest").asText());
        assertEquals("v8", JSON.readTree(armImage.configBytes()).get("variant").asText());
        assertNotEquals(image.layers().get(0).digest(), armImage.layers().get(0).digest());
        assertNull(single.indexDigest());
    }

    @Test
    void refusesANonEmptyDirectory(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("something"), "x");
        assertThrows(IllegalArgumentException.class, () -> TestImageGenerator.builder().writeLayout(dir));
        assertThrows(IllegalArgumentException.class, () -> TestImageGenerator.builder().layers(0));
    }

    private static List<String> tarNames(TestImage image, int layer) throws IOException {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(Files.newInputStream(image.blobPath(image.layers().get(layer).digest()))))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

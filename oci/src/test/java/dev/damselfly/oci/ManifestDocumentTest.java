package dev.damselfly.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestDocumentTest {
    private static final String CONFIG = "sha256:" + "1".repeat(64);
    private static final String LAYER = "sha256:" + "2".repeat(64);
    private static final String AMD = "sha256:" + "3".repeat(64);
    private static final String ARM = "sha256:" + "4".repeat(64);
    private static final String ATTESTATION = "sha256:" + "5".repeat(64);

    static final String DOCKER_MANIFEST = "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" + MediaTypes.DOCKER_MANIFEST + "\",\n"
            + "  \"config\": {\"mediaType\": \"" + MediaTypes.DOCKER_CONFIG + "\", \"size\": 7, \"digest\": \"" + CONFIG + "\"},\n"
            + "  \"layers\": [{\"mediaType\": \"" + MediaTypes.DOCKER_LAYER_GZIP + "\", \"size\": 42, \"digest\": \"" + LAYER + "\"}]\n}";

    static final String INDEX = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":["
            + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + ATTESTATION + "\",\"size\":1,"
            + "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
            + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + AMD + "\",\"size\":1,"
            + "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
            + "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + ARM + "\",\"size\":1,"
            + "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}}]}";

    @Test
    void keepsServedBytesAndDigestsThemExactly() throws Exception {
        byte[] bytes = DOCKER_MANIFEST.getBytes(StandardCharsets.UTF_8);
        ManifestDocument doc = ManifestDocument.parse(bytes, null, "test");
        assertEquals(MediaTypes.DOCKER_MANIFEST, doc.mediaType());
        assertEquals(Digest.sha256(bytes), doc.digest(), "digest over the exact bytes, whitespace included");
        assertEquals(bytes.length, doc.size());
        assertFalse(doc.isIndex());
        assertEquals(CONFIG, doc.manifest().config().digestText());
        assertEquals(42, doc.manifest().totalLayerBytes());
    }

    @Test
    void annotationsOfAManifestWeBuildAreWrittenSortedByKey() {
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("containerd.io/snapshot/nydus-fs-version", "6");
        reversed.put("containerd.io/snapshot/nydus-bootstrap", "true");
        Descriptor layer = new Descriptor(MediaTypes.OCI_LAYER_GZIP, "sha256:" + "a".repeat(64), 10, null, reversed,
                null, null);
        Descriptor config = new Descriptor(MediaTypes.OCI_CONFIG, Digest.parse("sha256:" + "b".repeat(64)), 2);
        String json = new String(ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config,
                List.of(layer), null, null)).bytes(), StandardCharsets.UTF_8);
        assertTrue(json.indexOf("nydus-bootstrap") < json.indexOf("nydus-fs-version"), json);
    }

    @Test
    void mediaTypeFromHeaderWhenJsonHasNone() throws Exception {
        String noType = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"size\":1,\"digest\":\"" + CONFIG + "\"},\"layers\":[]}";
        ManifestDocument doc = ManifestDocument.parse(noType.getBytes(StandardCharsets.UTF_8),
                MediaTypes.DOCKER_MANIFEST + "; charset=utf-8", "test");
        assertEquals(MediaTypes.DOCKER_MANIFEST, doc.mediaType());
    }

    @Test
    void indexSelectsPlatformAndSkipsAttestations() throws Exception {
        ManifestDocument doc = ManifestDocument.parse(INDEX.getBytes(StandardCharsets.UTF_8), null, "test");
        assertTrue(doc.isIndex());
        assertEquals(AMD, doc.index().select(Platform.parse("linux/amd64")).orElseThrow().digestText());
        assertEquals(ARM, doc.index().select(Platform.parse("linux/arm64")).orElseThrow().digestText());
        assertEquals(ARM, doc.index().select(Platform.parse("linux/arm64/v8")).orElseThrow().digestText());
        assertTrue(doc.index().select(Platform.parse("linux/arm/v7")).isEmpty());
        assertTrue(doc.index().select(Platform.parse("windows/amd64")).isEmpty());
        assertThrows(IllegalStateException.class, doc::manifest);
    }

    @Test
    void rejectsGarbageAndSchema1() {
        assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse("not json".getBytes(StandardCharsets.UTF_8), null, "t"));
        assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse("[1]".getBytes(StandardCharsets.UTF_8), null, "t"));
        assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse(
                "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(StandardCharsets.UTF_8), null, "t"));
        assertThrows(ManifestFormatException.class, () -> ManifestDocument.parse(
                ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"layers\":[]}").getBytes(StandardCharsets.UTF_8), null, "t"),
                "an image manifest without config");
    }

    @Test
    void platformParsing() {
        assertEquals("linux/arm64/v8", Platform.parse("linux/arm64/v8").toString());
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("linux"));
        assertThrows(IllegalArgumentException.class, () -> Platform.parse("a/b/c/d"));
        assertEquals("linux", Platform.current().os());
    }
}

package dev.damselfly.oci.layout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
    @TempDir
    Path dir;

    @Test
    void parsesReferences() {
        OciLayoutReference plain = OciLayoutReference.parse("oci:/tmp/img");
        assertEquals(Path.of("/tmp/img"), plain.directory());
        assertNull(plain.tag());
        OciLayoutReference tagged = OciLayoutReference.parse("oci:/tmp/a:b/img:v1");
        assertEquals(Path.of("/tmp/a:b/img"), tagged.directory());
        assertEquals("v1", tagged.tag());
        assertThrows(IllegalArgumentException.class, () -> OciLayoutReference.parse("oci:"));
    }

    @Test
    void writesVerifiedBlobsAndTagsManifests() throws Exception {
        OciLayout layout = OciLayout.createOrOpen(dir.resolve("img"));
        byte[] blob = "layer bytes".getBytes(StandardCharsets.UTF_8);
        Digest digest = Digest.sha256(blob);
        assertTrue(layout.writeBlob(digest, blob.length, new ByteArrayInputStream(blob), n -> { }));
        assertFalse(layout.writeBlob(digest, blob.length, new ByteArrayInputStream(blob), n -> { }), "second write is skipped");
        try (InputStream in = layout.readBlob(digest, blob.length)) {
            assertArrayEquals(blob, in.readAllBytes());
        }
        String manifestJson = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + digest + "\",\"size\":" + blob.length + "},\"layers\":[]}";
        ManifestDocument manifest = ManifestDocument.parse(manifestJson.getBytes(StandardCharsets.UTF_8), null, "t");
        layout.writeManifest(manifest);
        layout.addToIndex(manifest.descriptor(), Optional.of("v1"));
        layout.addToIndex(manifest.descriptor(), Optional.of("v1"));
        assertEquals(1, layout.listed().size(), "re-tagging replaces the entry");
        OciLayout reopened = OciLayout.open(dir.resolve("img"));
        assertEquals(manifest.digest(), reopened.find("v1").digest());
        assertEquals(manifest, reopened.readManifest(reopened.find(null)));
        assertThrows(OciLayoutException.class, () -> reopened.find("v2"));
    }

    @Test
    void corruptStreamLeavesNoBlobBehind() throws Exception {
        OciLayout layout = OciLayout.createOrOpen(dir.resolve("img"));
        Digest claimed = Digest.sha256("right".getBytes(StandardCharsets.UTF_8));
        assertThrows(DigestMismatchException.class, () -> layout.writeBlob(claimed, 5,
                new ByteArrayInputStream("wrong".getBytes(StandardCharsets.UTF_8)), n -> { }));
        assertFalse(layout.hasBlob(claimed));
        try (Stream<Path> files = Files.walk(dir.resolve("img/blobs"))) {
            assertEquals(0, files.filter(Files::isRegularFile).count(), "no temporary file left");
        }
    }

    @Test
    void openRefusesNonLayouts() {
        assertThrows(OciLayoutException.class, () -> OciLayout.open(dir));
    }
}

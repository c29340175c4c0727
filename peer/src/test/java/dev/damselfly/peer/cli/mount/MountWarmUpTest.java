package dev.damselfly.peer.cli.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ManifestDocument;
import org.junit.jupiter.api.Test;

class MountWarmUpTest {

    /** The warm-up's JSON step parses its sample; were it invalid, the step would fail (logged at DEBUG) and warm nothing. */
    @Test
    void theSampleManifestIsAnImageManifestWithOneLayer() throws Exception {
        ManifestDocument document = ManifestDocument.parse(MountWarmUp.SAMPLE_MANIFEST, null, "sample");
        assertFalse(document.isIndex());
        ImageManifest manifest = document.manifest();
        assertEquals(1, manifest.layers().size());
        assertEquals("true", manifest.layers().get(0).annotations().get("containerd.io/snapshot/nydus-bootstrap"));
    }
}

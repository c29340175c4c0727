package dev.damselfly.oci.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.layout.OciLayout;
import dev.damselfly.oci.layout.OciLayoutReference;
import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCopierTest {
    @TempDir
    Path dir;

    @Test
    void copiesLayoutToLayoutByteForByteAndSkipsWhatIsThere() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(3).layers(2).allEntryTypesLayer(true)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(dir.resolve("src"));
        ImageCopier copier = new ImageCopier(CopyListener.NONE, 2);
        OciLayoutReference target = OciLayoutReference.parse("oci:" + dir.resolve("dst") + ":copy");
        CopyResult result = copier.copy(new LayoutImageSource(OciLayoutReference.parse("oci:" + image.layoutDir() + ":v1")),
                new LayoutImageDestination(target), null);
        assertEquals(image.manifestDigest(), result.rootDigest().toString());
        assertEquals(image.layers().size() + 1, result.copied(), "layers and the config");
        for (LayerDescriptor layer : image.layers()) {
            Path copied = OciLayout.open(target.directory()).blobPath(Digest.parse(layer.digest()));
            assertEquals(-1, Files.mismatch(image.blobPath(layer.digest()), copied));
        }
        CopyResult again = copier.copy(new LayoutImageSource(OciLayoutReference.parse("oci:" + image.layoutDir() + ":v1")),
                new LayoutImageDestination(target), null);
        assertEquals(0, again.copied());
        assertEquals(image.layers().size() + 1, again.present());
    }

    @Test
    void corruptSourceBlobIsNeverWritten() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(4).layers(1).compression(LayerCompression.NONE).tag("v1")
                .writeLayout(dir.resolve("src"));
        LayerDescriptor layer = image.layers().get(0);
        Path blob = image.blobPath(layer.digest());
        byte[] bytes = Files.readAllBytes(blob);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(blob, bytes);
        OciLayoutReference target = OciLayoutReference.parse("oci:" + dir.resolve("dst") + ":copy");
        assertThrows(DigestMismatchException.class, () -> new ImageCopier(CopyListener.NONE, 1).copy(
                new LayoutImageSource(OciLayoutReference.parse("oci:" + image.layoutDir() + ":v1")), new LayoutImageDestination(target), null));
        assertFalse(OciLayout.open(target.directory()).hasBlob(Digest.parse(layer.digest())));
        assertEquals(0, OciLayout.open(target.directory()).listed().size(), "no manifest names missing content");
    }
}

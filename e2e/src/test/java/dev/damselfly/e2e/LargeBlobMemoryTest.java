package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 1 GiB layer copied layout → registry → registry by a damselfly process limited to a 64 MiB heap. */
class LargeBlobMemoryTest {
    private static final long ONE_GIB = 1L << 30;

    @TempDir
    Path work;

    @Test
    void copiesAOneGibLayerWithA64MibHeap() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(99).layers(1).compression(LayerCompression.NONE)
                .largeLayerBytes(ONE_GIB).tag("big").writeLayout(work.resolve("big"));
        LayerDescriptor largest = image.layers().stream().max((a, b) -> Long.compare(a.size(), b.size())).orElseThrow();
        assertEquals(true, largest.size() > ONE_GIB, "the image holds a layer over 1 GiB");
        try (RegistryServer first = RegistryServer.start(RegistryAuth.none());
             RegistryServer second = RegistryServer.start(RegistryAuth.none())) {
            String a = first.hostPort() + "/big/app:1";
            String b = second.hostPort() + "/big/app:1";
            DamselflyProcess.Result push = DamselflyProcess.run("64m", "image", "copy", "oci:" + image.layoutDir() + ":big", a);
            assertEquals(0, push.exitCode(), push.describe());
            DamselflyProcess.Result copy = DamselflyProcess.run("64m", "image", "copy", a, b);
            assertEquals(0, copy.exitCode(), copy.describe());
            List<String> layers = new ArrayList<>();
            Skopeo.create().inspect(b, false, null).path("Layers").forEach(l -> layers.add(l.asText()));
            assertEquals(image.layers().stream().map(LayerDescriptor::digest).toList(), layers);
            long served = first.accessLog().bytesServed(e -> e.isBlobGet() && e.path().endsWith(largest.digest()));
            assertEquals(largest.size(), served, "the large layer left the first registry exactly once, whole");
        }
    }
}

package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code damselfly image copy} and {@code image inspect} as real processes between two real registries
 * and OCI layouts, with skopeo as the independent judge of the result.
 */
class ImageCopyEndToEndTest {
    private static RegistryServer source;
    private static RegistryServer target;
    private static TestImage image;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    @BeforeAll
    static void start() {
        source = RegistryServer.start(RegistryAuth.none());
        target = RegistryServer.start(RegistryAuth.none());
        image = TestImageGenerator.builder().seed(42).layers(3).allEntryTypesLayer(true)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(work.resolve("generated"));
    }

    @AfterAll
    static void stop() {
        source.close();
        target.close();
    }

    private static DamselflyProcess.Result damselfly(String... args) throws Exception {
        return DamselflyProcess.run(null, args);
    }

    @Test
    void copiesLayoutToRegistryToRegistryAndSkopeoAgrees() throws Exception {
        String first = source.hostPort() + "/e2e/app:v1";
        String second = target.hostPort() + "/mirror/app:v1";
        DamselflyProcess.Result push = damselfly("image", "copy", "oci:" + image.layoutDir() + ":v1", first);
        assertEquals(0, push.exitCode(), push.describe());
        DamselflyProcess.Result copy = damselfly("image", "copy", first, second);
        assertEquals(0, copy.exitCode(), copy.describe());
        assertTrue(copy.stdout().contains(image.manifestDigest()), "the summary names the manifest digest:\n" + copy.describe());

        Skopeo skopeo = Skopeo.create();
        JsonNode inspected = skopeo.inspect(second, false, null);
        List<String> layers = new ArrayList<>();
        inspected.path("Layers").forEach(l -> layers.add(l.asText()));
        assertEquals(image.layers().stream().map(LayerDescriptor::digest).toList(), layers);
        assertEquals(image.manifestDigest(), inspected.path("Digest").asText());

        Path back = work.resolve("back");
        skopeo.run(List.of("copy", "--src-tls-verify=false", "docker://" + second, "oci:" + back + ":v1"));
        for (LayerDescriptor layer : image.layers()) {
            Path original = image.blobPath(layer.digest());
            Path copied = back.resolve("blobs/sha256/" + layer.digest().substring("sha256:".length()));
            assertEquals(-1, Files.mismatch(original, copied), "layer " + layer.digest() + " is byte-identical");
        }

        DamselflyProcess.Result inspect = damselfly("image", "inspect", "--format", "json", second);
        assertEquals(0, inspect.exitCode(), inspect.describe());
        JsonNode report = JSON.readTree(inspect.stdout());
        assertEquals(image.manifestDigest(), report.path("digest").asText(), inspect.stdout());
        assertEquals(image.layers().size(), report.path("manifest").path("layers").size(), inspect.stdout());
    }

    @Test
    void copyingAgainTransfersNothingAndMountsWithinOneRegistry() throws Exception {
        String first = source.hostPort() + "/again/app:v1";
        assertEquals(0, damselfly("image", "copy", "oci:" + image.layoutDir() + ":v1", first).exitCode());
        var mark = source.accessLog().mark();
        DamselflyProcess.Result mount = damselfly("image", "copy", first, source.hostPort() + "/again/other:v1");
        assertEquals(0, mount.exitCode(), mount.describe());
        source.accessLog().awaitSettled(java.time.Duration.ofMillis(300), java.time.Duration.ofSeconds(5));
        long blobBodiesRead = source.accessLog().since(mark).count(e -> e.isBlobGet() && e.status() == 200);
        assertEquals(0, blobBodiesRead, "blobs within one registry are mounted, never downloaded:\n" + source.accessLog().since(mark));
        assertTrue(mount.stdout().contains(": 0 blobs (0 B) copied, 0 present, " + (image.layers().size() + 1) + " mounted"),
                mount.describe());
        DamselflyProcess.Result again = damselfly("image", "copy", first, source.hostPort() + "/again/other:v1");
        assertEquals(0, again.exitCode(), again.describe());
        assertTrue(again.stdout().contains(": 0 blobs (0 B) copied, " + (image.layers().size() + 1) + " present, 0 mounted"),
                "the second copy finds every blob already there:\n" + again.describe());
    }

    @Test
    void multiPlatformIndexIsKeptOrNarrowedToOnePlatform() throws Exception {
        TestImage multi = TestImageGenerator.builder().seed(7).layers(1).multiPlatform(true).tag("multi")
                .writeLayout(work.resolve("multi"));
        String all = target.hostPort() + "/multi/all:1";
        DamselflyProcess.Result copyAll = damselfly("image", "copy", "oci:" + multi.layoutDir() + ":multi", all);
        assertEquals(0, copyAll.exitCode(), copyAll.describe());
        JsonNode raw = JSON.readTree(Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + all)));
        assertEquals(2, raw.path("manifests").size(), "both platforms kept: " + raw);
        assertEquals(multi.index().orElseThrow(), Skopeo.create().inspect(all, false, null).path("Digest").asText());

        String one = target.hostPort() + "/multi/arm:1";
        DamselflyProcess.Result copyOne = damselfly("image", "copy", "--platform", "linux/arm64", all, one);
        assertEquals(0, copyOne.exitCode(), copyOne.describe());
        JsonNode single = JSON.readTree(Skopeo.create().run(List.of("inspect", "--raw", "--tls-verify=false", "docker://" + one)));
        assertTrue(single.has("layers"), "a single manifest, not an index: " + single);
    }

    @Test
    void missingSourceFailsWithExitCodeOneAndAClearMessage() throws Exception {
        DamselflyProcess.Result result = damselfly("image", "copy", source.hostPort() + "/absent/app:v1", target.hostPort() + "/x/y:v1");
        assertEquals(1, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("absent/app"), result.describe());
        assertTrue(!result.stderr().contains("\tat "), "no stack trace without --verbose:\n" + result.describe());
    }

    @Test
    void badReferenceIsAUsageError() throws Exception {
        DamselflyProcess.Result result = damselfly("image", "inspect", "Not A Reference");
        assertEquals(2, result.exitCode(), result.describe());
    }
}

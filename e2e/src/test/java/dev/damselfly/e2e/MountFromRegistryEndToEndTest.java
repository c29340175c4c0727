package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.testkit.accesslog.AccessLog;
import dev.damselfly.testkit.image.TestTrees;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.ByteArrayInputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Nydus image built by our builder and pushed with the manifest shape of spec §4.1 (a nydus blob layer and a
 * gzip bootstrap layer) is mounted by {@code damselfly mount IMAGE MOUNTPOINT} straight from the registry:
 * files read back with the layer's bytes, and reading one small file fetches a small part of the blob.
 */
class MountFromRegistryEndToEndTest {
    @TempDir
    Path work;

    @Test
    void mountsANydusImageLazilyFromTheRegistry() throws Exception {
        byte[] layerTar = TestTrees.allEntryTypes(21).toByteArray();
        Path tar = Files.write(work.resolve("layer.tar"), layerTar);
        LayerBuildResult built = new LayerBuilder().build(tar, work.resolve("layer.boot"), work.resolve("layer.blob"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none());
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/nydus/app:v1");
            NydusImagePush.push(client, ref, built);
            AccessLog.Mark mark = registry.accessLog().mark();

            Path mountpoint = Files.createDirectories(work.resolve("mnt"));
            Path stderr = work.resolve("mount.err");
            Path tmp = Files.createDirectories(work.resolve("tmp"));
            Process mount = DamselflyProcess.start(stderr, List.of("-Djava.io.tmpdir=" + tmp), "mount", ref.toString(),
                    mountpoint.toString());
            boolean unmounted = false;
            try {
                String line = new BufferedReader(new InputStreamReader(mount.getInputStream(), StandardCharsets.UTF_8)).readLine();
                assertTrue(line != null && line.startsWith("mounted " + ref + " on "), line + "\n" + Files.readString(stderr));
                try (Stream<Path> left = Files.list(tmp)) {
                    assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("damselfly-mount-")).toList(),
                            "the fetched bootstrap is removed once mounted, so a killed mount leaves no copy");
                }
                byte[] expected = contentOf(layerTar, TestTrees.SMALL_FILE);
                assertArrayEquals(expected, Files.readAllBytes(mountpoint.resolve(TestTrees.SMALL_FILE)));
                registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
                long blobBytes = registry.accessLog().since(mark).bytesServed(e -> e.isBlobGet() && e.path().endsWith(built.blobId()));
                assertTrue(blobBytes > 0 && blobBytes < built.blobSize() / 4, "one small file fetched " + blobBytes
                        + " of the blob's " + built.blobSize() + " bytes");
                assertEquals(0, registry.accessLog().since(mark).count(e -> e.isBlobGet() && e.path().endsWith(built.blobId())
                        && e.status() == 200), "blob reads are Range requests only");
                assertArrayEquals(contentOf(layerTar, TestTrees.INCOMPRESSIBLE_FILE),
                        Files.readAllBytes(mountpoint.resolve(TestTrees.INCOMPRESSIBLE_FILE)));
                DamselflyProcess.Result umount = DamselflyProcess.run(null, "umount", mountpoint.toString());
                assertEquals(0, umount.exitCode(), umount.describe());
                unmounted = true;
                assertTrue(mount.waitFor(20, TimeUnit.SECONDS));
                assertEquals(0, mount.exitValue(), Files.readString(stderr));
            } finally {
                if (!unmounted) {
                    new ProcessBuilder("fusermount", "-u", mountpoint.toString()).start().waitFor(10, TimeUnit.SECONDS);
                }
                mount.destroy();
                mount.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anOrdinaryImageIsRefusedWithAReason() throws Exception {
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none());
             RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().build())) {
            ImageReference ref = ImageReference.parse(registry.hostPort() + "/plain/app:v1");
            byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
            Descriptor configDescriptor = NydusImagePush.pushBlob(client, ref, config, MediaTypes.OCI_CONFIG, null);
            Descriptor layer = NydusImagePush.pushBlob(client, ref, TestTrees.allEntryTypes(3).toByteArray(), MediaTypes.OCI_LAYER_TAR, null);
            client.pushManifest(ref, ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, configDescriptor,
                    List.of(layer), null, null)));
            Path mountpoint = Files.createDirectories(work.resolve("mnt2"));
            DamselflyProcess.Result result = DamselflyProcess.run(null, "mount", ref.toString(), mountpoint.toString());
            assertEquals(1, result.exitCode(), result.describe());
            assertTrue(result.stderr().contains("not a Nydus image"), result.describe());
        }
    }


    private static byte[] contentOf(byte[] tar, String path) throws Exception {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (name.equals(path)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new IllegalStateException(path + " not in the layer tar");
    }
}

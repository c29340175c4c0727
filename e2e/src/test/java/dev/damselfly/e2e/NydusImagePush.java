package dev.damselfly.e2e;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.image.LayerTarBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Pushes a one-layer Nydus image in the manifest shape of spec §4.1: the Nydus data blob layer and a gzip bootstrap
 * layer ({@code image/image.boot}) with Nydus's annotations, an OCI config and manifest.
 */
final class NydusImagePush {
    private NydusImagePush() {
    }

    /** A built one-layer image holding {@code bin/sha256sum} (this machine's) and {@code data/big.bin}. */
    record ToolsImage(LayerBuildResult built, String dataSha256) {
    }

    /**
     * Builds, in {@code work}, a layer with this machine's {@code /usr/bin/sha256sum} as {@code bin/sha256sum} and
     * {@code dataBytes} deterministic bytes (from {@code seed}) as {@code data/big.bin}: a program to run from a
     * mount over data whose SHA-256 is known.
     */
    static ToolsImage buildTools(Path work, long seed, int dataBytes) throws Exception {
        byte[] data = new DeterministicBytes(seed, dataBytes).readAllBytes();
        byte[] tar = LayerTarBuilder.create()
                .directory("bin", 0755).file("bin/sha256sum", 0755, Files.readAllBytes(Path.of("/usr/bin/sha256sum")))
                .directory("data", 0755).file("data/big.bin", 0644, data)
                .toByteArray();
        Path tarFile = Files.write(work.resolve("layer.tar"), tar);
        LayerBuildResult built = new LayerBuilder().build(tarFile, work.resolve("layer.boot"), work.resolve("layer.blob"));
        return new ToolsImage(built, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    }

    static void push(RegistryClient client, ImageReference ref, LayerBuildResult built) throws Exception {
        Descriptor blob = pushBlob(client, ref, Files.readAllBytes(built.blob()), "application/vnd.oci.image.layer.nydus.blob.v1",
                Map.of("containerd.io/snapshot/nydus-blob", "true"));
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(gz))) {
            TarArchiveEntry dir = new TarArchiveEntry("image/");
            dir.setMode(040755);
            out.putArchiveEntry(dir);
            out.closeArchiveEntry();
            byte[] boot = Files.readAllBytes(built.bootstrap());
            TarArchiveEntry file = new TarArchiveEntry("image/image.boot");
            file.setMode(0100444);
            file.setSize(boot.length);
            out.putArchiveEntry(file);
            out.write(boot);
            out.closeArchiveEntry();
        }
        Descriptor bootstrap = pushBlob(client, ref, gz.toByteArray(), MediaTypes.OCI_LAYER_GZIP,
                Map.of("containerd.io/snapshot/nydus-bootstrap", "true", "containerd.io/snapshot/nydus-fs-version", "6"));
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = pushBlob(client, ref, config, MediaTypes.OCI_CONFIG, null);
        client.pushManifest(ref, ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, configDescriptor,
                List.of(blob, bootstrap), null, null)));
    }

    static Descriptor pushBlob(RegistryClient client, ImageReference ref, byte[] bytes, String mediaType,
                               Map<String, String> annotations) throws Exception {
        Digest digest = Digest.sha256(bytes);
        client.pushBlob(ref, digest, bytes.length, new ByteArrayInputStream(bytes), n -> { });
        return new Descriptor(mediaType, digest.toString(), bytes.length, null, annotations, null, null);
    }
}

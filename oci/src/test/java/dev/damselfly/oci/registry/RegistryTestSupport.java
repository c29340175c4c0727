package dev.damselfly.oci.registry;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Shared helpers of the real-registry tests. */
final class RegistryTestSupport {
    private RegistryTestSupport() {
    }

    static RegistryClient client(CredentialProvider credentials) {
        return RegistryClient.create(RegistryClientConfig.builder()
                .credentials(credentials)
                .initialBackoff(Duration.ofMillis(10))
                .maxBackoff(Duration.ofMillis(50))
                .responseTimeout(Duration.ofSeconds(20))
                .build());
    }

    static RegistryClient client() {
        return client(CredentialProvider.ANONYMOUS);
    }

    static byte[] content(long seed, int size) {
        return DeterministicBytes.bytes(seed, size);
    }

    /** Pushes a blob and returns its descriptor. */
    static Descriptor pushBlob(RegistryClient client, ImageReference repo, byte[] bytes, String mediaType) throws IOException {
        Digest digest = Digest.sha256(bytes);
        client.pushBlob(repo, digest, bytes.length, new ByteArrayInputStream(bytes), n -> { });
        return new Descriptor(mediaType, digest, bytes.length);
    }

    /** Pushes a config and one layer, then a manifest under the reference's tag. */
    static ManifestDocument pushImage(RegistryClient client, ImageReference ref, byte[] layer) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + Digest.sha256(layer) + "\"]}}").getBytes(StandardCharsets.UTF_8);
        Descriptor configDescriptor = pushBlob(client, ref, config, MediaTypes.OCI_CONFIG);
        Descriptor layerDescriptor = pushBlob(client, ref, layer, MediaTypes.OCI_LAYER_TAR);
        ManifestDocument manifest = ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                configDescriptor, List.of(layerDescriptor), null, null));
        client.pushManifest(ref, manifest);
        return manifest;
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}

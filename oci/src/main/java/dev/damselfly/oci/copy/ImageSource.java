package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ManifestDocument;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Where an image is read from. */
public interface ImageSource {
    /** A name for messages, e.g. {@code 127.0.0.1:5000/app:1} or {@code oci:/tmp/app:1}. */
    String describe();

    /** The manifest or index the source names. */
    ManifestDocument rootManifest() throws IOException;

    /** A manifest listed in an index, verified against its descriptor. */
    ManifestDocument manifest(Descriptor descriptor) throws IOException;

    /** A blob's bytes; reading to EOF verifies size and digest. */
    InputStream openBlob(Descriptor descriptor) throws IOException;

    /** The source's registry and repository, when it is a registry (for cross-repository mounts). */
    default Optional<RegistryLocation> registryLocation() {
        return Optional.empty();
    }

    /** A repository of a registry: {@code registry} as in references, {@code repository} its name. */
    record RegistryLocation(String registry, String repository) {
    }
}

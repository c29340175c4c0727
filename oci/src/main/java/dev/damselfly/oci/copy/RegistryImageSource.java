package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** An image in a registry. */
public final class RegistryImageSource implements ImageSource {
    private final RegistryClient client;
    private final ImageReference reference;

    public RegistryImageSource(RegistryClient client, ImageReference reference) {
        this.client = client;
        this.reference = reference;
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    @Override
    public ManifestDocument rootManifest() throws IOException {
        return client.pullManifest(reference);
    }

    @Override
    public ManifestDocument manifest(Descriptor descriptor) throws IOException {
        return client.pullManifest(reference.withDigest(descriptor.digest()));
    }

    @Override
    public InputStream openBlob(Descriptor descriptor) throws IOException {
        return client.pullBlob(reference, descriptor.digest(), descriptor.size());
    }

    @Override
    public Optional<RegistryLocation> registryLocation() {
        return Optional.of(new RegistryLocation(reference.registry(), reference.repository()));
    }
}

package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** A repository (and tag) in a registry. */
public final class RegistryImageDestination implements ImageDestination {
    private final RegistryClient client;
    private final ImageReference reference;

    public RegistryImageDestination(RegistryClient client, ImageReference reference) {
        this.client = client;
        this.reference = reference;
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) throws IOException {
        return client.blobSize(reference, descriptor.digest()).isPresent();
    }

    @Override
    public boolean tryMount(Descriptor descriptor, ImageSource.RegistryLocation from) throws IOException {
        if (!from.registry().equals(reference.registry()) || from.repository().equals(reference.repository())) {
            return false;
        }
        return client.mountBlob(reference, descriptor.digest(), from.repository());
    }

    @Override
    public void writeBlob(Descriptor descriptor, InputStream data, LongConsumer progress) throws IOException {
        client.pushBlob(reference, descriptor.digest(), descriptor.size(), data, progress);
    }

    @Override
    public void writeChildManifest(ManifestDocument document) throws IOException {
        client.pushManifest(ImageReference.of(reference.registry(), reference.repository(), null, document.digest()), document);
    }

    @Override
    public void writeRootManifest(ManifestDocument document) throws IOException {
        client.pushManifest(reference, document);
    }
}

package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.layout.OciLayout;
import dev.damselfly.oci.layout.OciLayoutReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** An OCI image layout directory, created when missing; the root manifest is tagged in index.json. */
public final class LayoutImageDestination implements ImageDestination {
    private final OciLayout layout;
    private final OciLayoutReference reference;

    public LayoutImageDestination(OciLayoutReference reference) throws IOException {
        this.layout = OciLayout.createOrOpen(reference.directory());
        this.reference = reference;
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    @Override
    public boolean hasBlob(Descriptor descriptor) {
        return layout.hasBlob(descriptor.digest());
    }

    @Override
    public boolean tryMount(Descriptor descriptor, ImageSource.RegistryLocation from) {
        return false;
    }

    @Override
    public void writeBlob(Descriptor descriptor, InputStream data, LongConsumer progress) throws IOException {
        layout.writeBlob(descriptor.digest(), descriptor.size(), data, progress);
    }

    @Override
    public void writeChildManifest(ManifestDocument document) throws IOException {
        layout.writeManifest(document);
    }

    @Override
    public void writeRootManifest(ManifestDocument document) throws IOException {
        layout.writeManifest(document);
        layout.addToIndex(document.descriptor(), reference.tagOptional());
    }
}

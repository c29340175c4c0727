package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.layout.OciLayout;
import dev.damselfly.oci.layout.OciLayoutReference;
import java.io.IOException;
import java.io.InputStream;

/** An image in an OCI image layout directory. */
public final class LayoutImageSource implements ImageSource {
    private final OciLayout layout;
    private final OciLayoutReference reference;

    public LayoutImageSource(OciLayoutReference reference) throws IOException {
        this.layout = OciLayout.open(reference.directory());
        this.reference = reference;
    }

    @Override
    public String describe() {
        return reference.toString();
    }

    @Override
    public ManifestDocument rootManifest() throws IOException {
        return layout.readManifest(layout.find(reference.tag()));
    }

    @Override
    public ManifestDocument manifest(Descriptor descriptor) throws IOException {
        return layout.readManifest(descriptor);
    }

    @Override
    public InputStream openBlob(Descriptor descriptor) throws IOException {
        return layout.readBlob(descriptor.digest(), descriptor.size());
    }
}

package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ManifestDocument;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/** Where an image is written to. */
public interface ImageDestination {
    String describe();

    /** True when the destination already holds this blob. */
    boolean hasBlob(Descriptor descriptor) throws IOException;

    /** Tries to get the blob without transferring it (a cross-repository mount); false when not possible. */
    boolean tryMount(Descriptor descriptor, ImageSource.RegistryLocation from) throws IOException;

    /** Writes a blob from a stream of exactly {@code descriptor.size()} bytes. */
    void writeBlob(Descriptor descriptor, InputStream data, LongConsumer progress) throws IOException;

    /** Writes a manifest listed in an index (by digest). */
    void writeChildManifest(ManifestDocument document) throws IOException;

    /** Writes the root manifest or index under the destination's tag (or digest). */
    void writeRootManifest(ManifestDocument document) throws IOException;
}

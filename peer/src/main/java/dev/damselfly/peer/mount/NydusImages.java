package dev.damselfly.peer.mount;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Finds a Nydus image's bootstrap in a registry (spec §4.1–§4.2): the layer annotated
 * {@value #BOOTSTRAP_ANNOTATION} (the last layer), a gzip tar whose {@code image/image.boot} (or the legacy
 * top-level {@code image.boot}) is the image's bootstrap. Only that one entry is written, to a file of ours;
 * every other entry is skipped, so a hostile tar cannot write anywhere.
 */
public final class NydusImages {
    /** Layer annotation that marks the bootstrap layer. */
    public static final String BOOTSTRAP_ANNOTATION = "containerd.io/snapshot/nydus-bootstrap";
    /** Bootstraps larger than this are refused: 1 GiB. */
    public static final long MAX_BOOTSTRAP_BYTES = 1L << 30;

    private NydusImages() {
    }

    /** The bootstrap layer's descriptor in the image's manifest for {@code platform}. */
    public static Descriptor bootstrapLayer(RegistryClient client, ImageReference ref, Platform platform) throws IOException {
        ManifestDocument document = client.resolveManifest(ref, platform);
        ImageManifest manifest = document.manifest();
        List<Descriptor> layers = manifest.layers();
        for (int i = layers.size() - 1; i >= 0; i--) {
            Map<String, String> annotations = layers.get(i).annotations();
            if (annotations != null && "true".equals(annotations.get(BOOTSTRAP_ANNOTATION))) {
                return layers.get(i);
            }
        }
        throw new NotANydusImageException(ref.toString(), "no layer annotated " + BOOTSTRAP_ANNOTATION);
    }

    /** Downloads the bootstrap layer (verified) and writes its {@code image.boot} to {@code target}. */
    public static Path fetchBootstrap(RegistryClient client, ImageReference ref, Descriptor layer, Path target) throws IOException {
        try (InputStream blob = client.pullBlob(ref, layer.digest(), layer.size());
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(blob))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (!entry.isFile() || !(name.equals("image/image.boot") || name.equals("image.boot"))) {
                    continue;
                }
                if (entry.getSize() > MAX_BOOTSTRAP_BYTES) {
                    throw new NotANydusImageException(ref.toString(), "image.boot of " + entry.getSize() + " bytes is too large");
                }
                Files.createDirectories(target.toAbsolutePath().getParent());
                Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".bootstrap-", ".tmp");
                try {
                    try (OutputStream out = Files.newOutputStream(temp)) {
                        tar.transferTo(out);
                    }
                    blob.transferTo(OutputStream.nullOutputStream()); // reach EOF: the layer digest is checked
                    Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return target;
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
        throw new NotANydusImageException(ref.toString(), "bootstrap layer " + layer.digestText() + " has no image/image.boot");
    }
}

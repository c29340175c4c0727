package dev.damselfly.oci.copy;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.layout.OciLayoutReference;
import dev.damselfly.oci.registry.RegistryClient;
import java.io.IOException;

/**
 * Parses the command-line names of images: {@code oci:PATH[:TAG]} for a layout directory, anything
 * else (optionally prefixed {@code docker://}) as a registry reference.
 */
public final class ImageLocations {
    /** skopeo's prefix for registry references, accepted and ignored. */
    public static final String DOCKER_PREFIX = "docker://";

    private ImageLocations() {
    }

    public static ImageSource source(String text, RegistryClient client) throws IOException {
        if (OciLayoutReference.matches(text)) {
            return new LayoutImageSource(OciLayoutReference.parse(text));
        }
        return new RegistryImageSource(client, registryReference(text));
    }

    public static ImageDestination destination(String text, RegistryClient client) throws IOException {
        if (OciLayoutReference.matches(text)) {
            return new LayoutImageDestination(OciLayoutReference.parse(text));
        }
        return new RegistryImageDestination(client, registryReference(text));
    }

    /** A registry reference, with skopeo's {@code docker://} prefix removed. */
    public static ImageReference registryReference(String text) {
        return ImageReference.parse(text.startsWith(DOCKER_PREFIX) ? text.substring(DOCKER_PREFIX.length()) : text);
    }
}

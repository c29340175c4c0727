package dev.damselfly.oci.layout;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code oci:PATH[:TAG]}, the command-line name of an image in a layout directory (skopeo's syntax).
 *
 * @param directory the layout directory
 * @param tag       the {@code org.opencontainers.image.ref.name} to use, or null for "the only image"
 */
public record OciLayoutReference(Path directory, String tag) {
    /** Prefix that marks a layout reference on the command line. */
    public static final String PREFIX = "oci:";

    public static boolean matches(String text) {
        return text.startsWith(PREFIX);
    }

    /** Parses {@code oci:PATH[:TAG]}; the tag is what follows the last colon after the last slash. */
    public static OciLayoutReference parse(String text) {
        if (!matches(text)) {
            throw new IllegalArgumentException("not an OCI layout reference (oci:PATH[:TAG]): " + text);
        }
        String rest = text.substring(PREFIX.length());
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        String tag = null;
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("OCI layout reference without a directory: " + text);
        }
        return new OciLayoutReference(Path.of(rest), tag == null || tag.isEmpty() ? null : tag);
    }

    public Optional<String> tagOptional() {
        return Optional.ofNullable(tag);
    }

    @Override
    public String toString() {
        return PREFIX + directory + (tag == null ? "" : ":" + tag);
    }
}

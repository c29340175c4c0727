package dev.damselfly.proxy;

import dev.damselfly.oci.Digest;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The repository and digest of a registry blob URL path, {@code /v2/NAME/blobs/ALGORITHM:HEX}.
 *
 * @param repository the repository name ({@code library/busybox})
 * @param digest     the blob digest
 */
record BlobPath(String repository, Digest digest) {
    private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");

    /** The blob a raw URL path names, or empty for anything else (manifests, uploads, tags, {@code /v2/}). */
    static Optional<BlobPath> parse(String rawPath) {
        if (rawPath == null) {
            return Optional.empty();
        }
        Matcher m = BLOB.matcher(rawPath);
        if (!m.matches() || m.group(1).contains("%")) {
            return Optional.empty();
        }
        try {
            return Optional.of(new BlobPath(m.group(1), Digest.parse(m.group(2))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

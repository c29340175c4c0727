package dev.damselfly.oci.copy;

import dev.damselfly.oci.Digest;

/**
 * What a copy did.
 *
 * @param rootDigest   digest of the root manifest or index written
 * @param copied       blobs transferred
 * @param present      blobs the destination already had
 * @param mounted      blobs mounted from another repository
 * @param bytesCopied  bytes transferred (blob bytes, not manifests)
 */
public record CopyResult(Digest rootDigest, int copied, int present, int mounted, long bytesCopied) {
}

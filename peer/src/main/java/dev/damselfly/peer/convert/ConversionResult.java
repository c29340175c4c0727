package dev.damselfly.peer.convert;

import dev.damselfly.oci.Digest;

/**
 * What a conversion pushed.
 *
 * @param manifestDigest digest of the Nydus manifest pushed
 * @param layers         source layers converted (= blob layers pushed)
 * @param blobBytes      bytes of all Nydus blobs
 * @param bootstrapBytes bytes of the merged bootstrap
 */
public record ConversionResult(Digest manifestDigest, int layers, long blobBytes, long bootstrapBytes) {
}

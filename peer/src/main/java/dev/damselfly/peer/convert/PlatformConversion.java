package dev.damselfly.peer.convert;

import dev.damselfly.oci.Platform;

/**
 * One platform of a multi-platform conversion.
 *
 * @param platform the source index entry's platform (null when the source was a single manifest or the entry had none)
 * @param result   what was pushed for it
 */
public record PlatformConversion(Platform platform, ConversionResult result) {
}

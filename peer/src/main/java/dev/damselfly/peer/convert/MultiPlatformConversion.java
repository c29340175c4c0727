package dev.damselfly.peer.convert;

import dev.damselfly.oci.Digest;
import java.util.List;

/**
 * What {@link NydusConverter#convertAll} pushed.
 *
 * @param digest       digest of the index pushed under the destination tag (or of the manifest, when the source was
 *                     a single image manifest)
 * @param index        whether {@code digest} names an index (false: the source was a single manifest)
 * @param platforms    one entry per converted manifest, in index order
 * @param layersBuilt  source layers built and pushed
 * @param layersShared layer references served by a layer already built for another platform (not built again)
 */
public record MultiPlatformConversion(Digest digest, boolean index, List<PlatformConversion> platforms, int layersBuilt,
                                      int layersShared) {
    public MultiPlatformConversion {
        platforms = List.copyOf(platforms);
    }
}

package dev.damselfly.rafs;

import dev.damselfly.rafs.io.ByteRegion;
import dev.damselfly.rafs.v5.V5Image;
import dev.damselfly.rafs.v5.V5Superblock;
import dev.damselfly.rafs.v6.ErofsSuperblock;
import dev.damselfly.rafs.v6.V6Image;
import java.io.IOException;
import java.nio.file.Path;

/** Opens bootstraps of any supported version (v5 is tried first, as nydusd does, then EROFS / v6). */
public final class RafsImages {
    private RafsImages() {
    }

    /** Memory-maps {@code bootstrap} and opens it. */
    public static RafsImage open(Path bootstrap) throws IOException {
        return open(ByteRegion.map(bootstrap));
    }

    /** Opens a bootstrap held in memory (e.g. extracted from a tar or a blob); {@code name} labels errors. */
    public static RafsImage open(String name, byte[] bootstrap) throws RafsFormatException {
        return open(ByteRegion.of(name, bootstrap));
    }

    public static RafsImage open(ByteRegion region) throws RafsFormatException {
        if (V5Superblock.detect(region)) {
            return V5Image.open(region);
        }
        if (region.size() >= ErofsSuperblock.OFFSET + 128 && region.u32(ErofsSuperblock.OFFSET) == ErofsSuperblock.MAGIC) {
            return V6Image.open(region);
        }
        throw new RafsFormatException(region.name(), 0, "not a RAFS bootstrap (neither RAFS v5 magic at 0 nor EROFS magic at 1024)");
    }
}

package dev.damselfly.rafsmount;

import dev.damselfly.rafsmount.fuse.MountTable;
import java.io.IOException;
import java.nio.file.Path;

/** Test view of the kernel mount table. */
final class MountTableView {
    private MountTableView() {
    }

    static boolean mounted(Path dir) throws IOException {
        return MountTable.isMountPoint(dir);
    }
}

package dev.damselfly.rafs.build;

import dev.damselfly.rafs.tar.BadLinkException;
import dev.damselfly.rafs.tar.DuplicateTarEntryException;
import dev.damselfly.rafs.tar.LayerTarEntry;
import dev.damselfly.rafs.tar.TarEntryException;
import dev.damselfly.rafs.tar.TarEntryKind;
import dev.damselfly.rafs.tar.TarXattr;
import dev.damselfly.rafs.tar.UnsupportedTarEntryException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The layer's tree as tar entries arrive (§6.1): missing parents are created as 0755 root:root mtime 0
 * directories, a {@code ./} entry sets the root's attributes, hard links share their target's inode.
 * Whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) are kept verbatim as empty regular files, as nydusify's
 * per-layer builds do ({@code --whiteout-spec none}, §1.15); they are applied only when layers are merged.
 */
final class FsTree {
    private final FsNode root = new FsNode(new byte[0], null, implicitDir());

    FsNode root() {
        return root;
    }

    private static FsInode implicitDir() {
        FsInode i = new FsInode();
        i.mode = FsInode.S_IFDIR | 0755;
        return i;
    }

    /** Adds one entry and returns its node (for a regular file the caller fills in the chunks). */
    FsNode add(LayerTarEntry e) throws TarEntryException {
        List<String> path = e.path();
        if (path.isEmpty()) {
            if (e.kind() != TarEntryKind.DIRECTORY) {
                throw new BadLinkException(e.rawName(), e.offset(), "the layer root must be a directory, not a " + e.kind());
            }
            if (root.explicit) {
                throw new DuplicateTarEntryException(e.rawName(), e.offset(), "second entry for the layer root");
            }
            root.explicit = true;
            fill(root.inode, e);
            return root;
        }
        FsNode dir = root;
        for (int i = 0; i < path.size() - 1; i++) {
            FsNode c = dir.child(path.get(i));
            if (c == null) {
                c = new FsNode(path.get(i).getBytes(StandardCharsets.UTF_8), dir, implicitDir());
                dir.children.put(c.name, c);
            } else if (!c.inode.isDir()) {
                throw new BadLinkException(e.rawName(), e.offset(), "parent " + c.path() + " is not a directory");
            }
            dir = c;
        }
        byte[] name = path.get(path.size() - 1).getBytes(StandardCharsets.UTF_8);
        FsNode existing = dir.children.get(name);
        if (existing != null) {
            if (existing.explicit || e.kind() != TarEntryKind.DIRECTORY) {
                throw new DuplicateTarEntryException(e.rawName(), e.offset(), "path /" + e.pathString() + " appears twice");
            }
            existing.explicit = true;
            fill(existing.inode, e);
            return existing;
        }
        FsInode inode;
        if (e.kind() == TarEntryKind.HARD_LINK) {
            FsNode target = find(e.linkTarget());
            if (target == null || !target.inode.isReg()) {
                throw new BadLinkException(e.rawName(), e.offset(), "hard link target '" + e.linkTarget()
                        + "' is not an earlier regular file of this layer");
            }
            inode = target.inode;
            inode.nlink++;
        } else {
            inode = new FsInode();
            fill(inode, e);
        }
        FsNode n = new FsNode(name, dir, inode);
        n.explicit = true;
        dir.children.put(name, n);
        return n;
    }

    private FsNode find(String path) {
        FsNode cur = root;
        for (String p : path.split("/")) {
            if (cur == null || !cur.inode.isDir()) {
                return null;
            }
            cur = cur.child(p);
        }
        return cur;
    }

    private static void fill(FsInode i, LayerTarEntry e) throws TarEntryException {
        int type;
        switch (e.kind()) {
            case REGULAR: type = FsInode.S_IFREG; break;
            case DIRECTORY: type = FsInode.S_IFDIR; break;
            case SYMLINK: type = FsInode.S_IFLNK; break;
            case CHAR_DEVICE: type = FsInode.S_IFCHR; break;
            case BLOCK_DEVICE: type = FsInode.S_IFBLK; break;
            case FIFO: type = FsInode.S_IFIFO; break;
            default: throw new IllegalStateException(e.kind().toString());
        }
        i.mode = type | e.permissions();
        i.uid = e.uid();
        i.gid = e.gid();
        i.mtimeSeconds = e.mtimeSeconds();
        i.size = e.size();
        if (e.kind() == TarEntryKind.SYMLINK) {
            i.target = e.linkTarget().getBytes(StandardCharsets.UTF_8);
            i.size = i.target.length;
        }
        if (e.kind() == TarEntryKind.CHAR_DEVICE || e.kind() == TarEntryKind.BLOCK_DEVICE) {
            int major = e.devMajor();
            int minor = e.devMinor();
            i.rdev = (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12);
        }
        for (TarXattr x : e.xattrs()) {
            if (XattrPrefix.of(x.name()) == null) {
                throw new UnsupportedTarEntryException(e.rawName(), e.offset(), "xattr '" + x.name()
                        + "' has a prefix EROFS cannot store (user., trusted., security., system.posix_acl_*)");
            }
            if (x.value().length > 0xFFFF || XattrPrefix.suffix(x.name()).length > 255) {
                throw new UnsupportedTarEntryException(e.rawName(), e.offset(), "xattr '" + x.name() + "' too long");
            }
        }
        i.xattrs = e.xattrs();
    }
}

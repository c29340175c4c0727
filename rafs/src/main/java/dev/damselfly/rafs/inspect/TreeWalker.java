package dev.damselfly.rafs.inspect;

import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.RafsImage;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Depth-first walk of an image's tree in directory order (names sorted by raw bytes), root first. A directory
 * reached twice (a cycle, or a directory hard link) is a {@link RafsFormatException}, so corrupt images end
 * in an error rather than a hang. Depth is limited to {@link #MAX_DEPTH}, and the number of names visited to
 * {@code 4 × inodeCount + 100,000} (hard links add names beyond the inode count; directories whose entries
 * all point at the same subtree would otherwise make a small corrupt image take quadratic time).
 */
public final class TreeWalker {
    /** Deepest directory nesting walked: 4096 levels. */
    public static final int MAX_DEPTH = 4096;

    /** Receives every inode reached. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * @param path  absolute path ("/" for the root)
         * @param depth 0 for the root
         * @param attrs the inode's attributes
         */
        void visit(String path, int depth, InodeAttributes attrs) throws RafsException;
    }

    private TreeWalker() {
    }

    public static void walk(RafsImage image, Visitor visitor) throws RafsException {
        walk(image, image.rootHandle(), "/", visitor);
    }

    /**
     * Walks the subtree under {@code handle}, whose absolute path is {@code path}; depths count from it (0).
     */
    public static void walk(RafsImage image, long handle, String path, Visitor visitor) throws RafsException {
        Set<Long> seen = new HashSet<>();
        long inodes = image.inodeCount();
        long budget = inodes < 0 || inodes > (Long.MAX_VALUE - 100_000) / 4 ? Long.MAX_VALUE : 4 * inodes + 100_000;
        walk(image, handle, path, 0, visitor, seen, new long[] {budget});
    }

    private static void walk(RafsImage image, long handle, String path, int depth, Visitor v, Set<Long> seen,
                             long[] budget) throws RafsException {
        if (--budget[0] < 0) {
            throw new RafsFormatException(image.name(), RafsFormatException.UNKNOWN, handle,
                    "tree has more names than the inode count (" + image.inodeCount() + ") allows");
        }
        InodeAttributes a = image.stat(handle);
        v.visit(path, depth, a);
        if (a.type() != FileType.DIRECTORY) {
            return;
        }
        if (!seen.add(handle)) {
            throw new RafsFormatException(image.name(), RafsFormatException.UNKNOWN, handle,
                    "directory cycle: " + path + " was already visited");
        }
        if (depth >= MAX_DEPTH) {
            throw new RafsFormatException(image.name(), RafsFormatException.UNKNOWN, handle, "directory nesting deeper than " + MAX_DEPTH);
        }
        for (DirEntry e : image.readDir(handle)) {
            String name = new String(e.name(), StandardCharsets.UTF_8);
            walk(image, e.handle(), path.endsWith("/") ? path + name : path + "/" + name, depth + 1, v, seen, budget);
        }
    }
}

package dev.damselfly.rafs.build;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.TreeMap;

/** One name in the tree being built. Children are kept sorted by raw name bytes, as EROFS wants. */
final class FsNode {
    final byte[] name;
    final FsNode parent;
    FsInode inode;
    /** Whether a tar entry named this path (false for parents created implicitly). */
    boolean explicit;
    final TreeMap<byte[], FsNode> children = new TreeMap<>(Arrays::compareUnsigned);

    FsNode(byte[] name, FsNode parent, FsInode inode) {
        this.name = name;
        this.parent = parent;
        this.inode = inode;
    }

    FsNode child(String name) {
        return children.get(name.getBytes(StandardCharsets.UTF_8));
    }

    String path() {
        if (parent == null) {
            return "/";
        }
        String p = parent.path();
        return (p.equals("/") ? "" : p) + "/" + new String(name, StandardCharsets.UTF_8);
    }
}

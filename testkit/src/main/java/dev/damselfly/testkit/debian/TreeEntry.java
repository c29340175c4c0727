package dev.damselfly.testkit.debian;

import java.util.Collections;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a comparison of two copies of a file system tree looks at for one path (times, inode numbers, link
 * counts and directory sizes are left out: they differ legitimately between file systems).
 *
 * @param path          absolute within the tree: {@code /} for the root, {@code /usr/bin/perl}
 * @param mode          POSIX {@code st_mode}: type and permission bits (including setuid, setgid, sticky)
 * @param uid           owner
 * @param gid           group
 * @param size          bytes of a regular file, length of a symlink's target, 0 for every other type
 * @param linkTarget    a symlink's target, else {@code null}
 * @param sha256        lower-case hex SHA-256 of a regular file's content, else {@code null}
 * @param device        {@code MAJOR:MINOR} of a character or block device, else {@code null}
 * @param hardLinkGroup for a non-directory sharing its inode with other paths of the tree, the smallest of those
 *                      paths (the same for all of them); else {@code null}
 * @param xattrs        extended attributes: name to lower-case hex value, sorted by name (empty when none)
 */
public record TreeEntry(String path, int mode, long uid, long gid, long size, String linkTarget, String sha256,
                        String device, String hardLinkGroup, SortedMap<String, String> xattrs) {

    /** {@code S_IFMT}. */
    public static final int S_IFMT = 0170000;
    /** {@code S_IFREG}. */
    public static final int S_IFREG = 0100000;
    /** {@code S_IFDIR}. */
    public static final int S_IFDIR = 0040000;
    /** {@code S_IFLNK}. */
    public static final int S_IFLNK = 0120000;
    /** {@code S_IFCHR}. */
    public static final int S_IFCHR = 0020000;
    /** {@code S_IFBLK}. */
    public static final int S_IFBLK = 0060000;

    /** Normalises {@code xattrs} to an unmodifiable sorted copy. */
    public TreeEntry {
        Objects.requireNonNull(path, "path");
        xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs == null ? new TreeMap<>() : xattrs));
    }

    /** @return the file type bits ({@code mode & S_IFMT}) */
    public int type() {
        return mode & S_IFMT;
    }

    /** @return true for a regular file */
    public boolean isRegular() {
        return type() == S_IFREG;
    }

    /** @return true for a directory */
    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    /**
     * @param group the hard-link group to record
     * @return a copy with that group
     */
    public TreeEntry withHardLinkGroup(String group) {
        return new TreeEntry(path, mode, uid, gid, size, linkTarget, sha256, device, group, xattrs);
    }

    /**
     * @param other the entry to compare with (same path expected)
     * @return the fields that differ, {@code name expected -> actual} separated by {@code "; "}, or "" when equal
     */
    public String differencesFrom(TreeEntry other) {
        StringBuilder sb = new StringBuilder();
        diff(sb, "mode", Integer.toOctalString(mode), Integer.toOctalString(other.mode));
        diff(sb, "uid", uid, other.uid);
        diff(sb, "gid", gid, other.gid);
        diff(sb, "size", size, other.size);
        diff(sb, "linkTarget", linkTarget, other.linkTarget);
        diff(sb, "sha256", sha256, other.sha256);
        diff(sb, "device", device, other.device);
        diff(sb, "hardLinkGroup", hardLinkGroup, other.hardLinkGroup);
        diff(sb, "xattrs", xattrs, other.xattrs);
        return sb.toString();
    }

    private static void diff(StringBuilder sb, String name, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(name).append(' ').append(expected).append(" -> ").append(actual);
        }
    }
}

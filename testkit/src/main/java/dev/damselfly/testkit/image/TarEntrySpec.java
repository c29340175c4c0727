package dev.damselfly.testkit.image;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tar entry to write: its type, path, permissions, owner, time, link target, content and
 * extended attributes. Immutable; the {@code with...} methods return modified copies.
 *
 * @param type       entry type
 * @param path       path inside the layer, relative, without leading {@code /} or trailing {@code /}
 * @param mode       permission bits including setuid (04000), setgid (02000), sticky (01000); no file-type bits
 * @param uid        numeric owner (default 0; values above 2097151 are written as PAX)
 * @param gid        numeric group (default 0)
 * @param userName   owner name (default empty)
 * @param groupName  group name (default empty)
 * @param mtime      modification time, whole seconds (default {@link #DEFAULT_MTIME})
 * @param linkTarget symlink or hard-link target, {@code null} for other types
 * @param size       content length in bytes for {@link Type#FILE}, else 0
 * @param content    content of {@link Type#FILE}, else {@code null}
 * @param devMajor   device major number for device entries, else 0
 * @param devMinor   device minor number for device entries, else 0
 * @param xattrs     extended attributes, written as PAX {@code SCHILY.xattr.NAME}; sorted by name
 */
public record TarEntrySpec(
        Type type,
        String path,
        int mode,
        long uid,
        long gid,
        String userName,
        String groupName,
        Instant mtime,
        String linkTarget,
        long size,
        ContentSource content,
        int devMajor,
        int devMinor,
        Map<String, byte[]> xattrs) {

    /** The fixed modification time of generated entries: 2021-01-01T00:00:00Z. */
    public static final Instant DEFAULT_MTIME = Instant.parse("2021-01-01T00:00:00Z");
    /** Whiteout file name prefix (OCI image spec, layer changesets): {@value}. */
    public static final String WHITEOUT_PREFIX = ".wh.";
    /** Opaque directory marker file name: {@value}. */
    public static final String OPAQUE_MARKER = ".wh..wh..opq";

    /** Tar entry types. */
    public enum Type {
        /** Regular file (typeflag '0'). */
        FILE,
        /** Directory ('5'). */
        DIRECTORY,
        /** Symbolic link ('2'). */
        SYMLINK,
        /** Hard link to an earlier entry ('1'). */
        HARDLINK,
        /** Character device ('3'). */
        CHAR_DEVICE,
        /** Block device ('4'). */
        BLOCK_DEVICE,
        /** Named pipe ('6'). */
        FIFO
    }

    // Validates (IllegalArgumentException) and normalizes.
    public TarEntrySpec {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("tar path must be relative without leading/trailing '/': " + path);
        }
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode must hold permission bits only (<= 07777): 0" + Integer.toOctalString(mode));
        }
        if (mtime.getNano() != 0) {
            throw new IllegalArgumentException("mtime must be whole seconds: " + mtime);
        }
        TreeMap<String, byte[]> sorted = new TreeMap<>();
        xattrs.forEach((k, v) -> sorted.put(k, v.clone()));
        sorted.values().forEach(TarEntrySpec::requireUtf8);
        xattrs = Collections.unmodifiableMap(sorted);
    }

    private static TarEntrySpec of(Type type, String path, int mode, String linkTarget, long size, ContentSource content,
            int major, int minor) {
        return new TarEntrySpec(type, path, mode, 0, 0, "", "", DEFAULT_MTIME, linkTarget, size, content, major, minor, Map.of());
    }

    /**
     * @param path    relative path
     * @param mode    permission bits, e.g. {@code 0644}
     * @param content the bytes (not copied)
     * @return a regular file
     */
    public static TarEntrySpec file(String path, int mode, byte[] content) {
        return of(Type.FILE, path, mode, null, content.length, ContentSource.of(content), 0, 0);
    }

    /**
     * @param path    relative path
     * @param mode    permission bits
     * @param size    exact content length in bytes
     * @param content streamed content, must yield exactly {@code size} bytes
     * @return a regular file with streamed content
     */
    public static TarEntrySpec file(String path, int mode, long size, ContentSource content) {
        return of(Type.FILE, path, mode, null, size, content, 0, 0);
    }

    /**
     * @param path relative path (written with a trailing {@code /})
     * @param mode permission bits, e.g. {@code 0755}, {@code 01777}, {@code 02775}
     * @return a directory
     */
    public static TarEntrySpec directory(String path, int mode) {
        return of(Type.DIRECTORY, path, mode, null, 0, null, 0, 0);
    }

    /**
     * @param path   relative path
     * @param target link target, relative or absolute, need not exist
     * @return a symlink with mode 0777
     */
    public static TarEntrySpec symlink(String path, String target) {
        return of(Type.SYMLINK, path, 0777, target, 0, null, 0, 0);
    }

    /**
     * @param path   relative path
     * @param target path of an earlier entry of the same layer (relative, no leading {@code /})
     * @return a hard link (mode 0644; extractors take the target's)
     */
    public static TarEntrySpec hardLink(String path, String target) {
        return of(Type.HARDLINK, path, 0644, target, 0, null, 0, 0);
    }

    /**
     * @param path  relative path
     * @param mode  permission bits
     * @param major device major
     * @param minor device minor
     * @return a character device
     */
    public static TarEntrySpec charDevice(String path, int mode, int major, int minor) {
        return of(Type.CHAR_DEVICE, path, mode, null, 0, null, major, minor);
    }

    /**
     * @param path  relative path
     * @param mode  permission bits
     * @param major device major
     * @param minor device minor
     * @return a block device
     */
    public static TarEntrySpec blockDevice(String path, int mode, int major, int minor) {
        return of(Type.BLOCK_DEVICE, path, mode, null, 0, null, major, minor);
    }

    /**
     * @param path relative path
     * @param mode permission bits
     * @return a FIFO
     */
    public static TarEntrySpec fifo(String path, int mode) {
        return of(Type.FIFO, path, mode, null, 0, null, 0, 0);
    }

    /**
     * @param removedPath the path (from a lower layer) this layer deletes, e.g. {@code etc/old.conf}
     * @return an empty regular file {@code etc/.wh.old.conf}, mode 0644
     */
    public static TarEntrySpec whiteout(String removedPath) {
        int slash = removedPath.lastIndexOf('/');
        String dir = slash < 0 ? "" : removedPath.substring(0, slash + 1);
        return file(dir + WHITEOUT_PREFIX + removedPath.substring(slash + 1), 0644, new byte[0]);
    }

    /**
     * @param directory a directory whose lower-layer contents this layer hides
     * @return an empty regular file {@code directory/.wh..wh..opq}, mode 0644
     */
    public static TarEntrySpec opaque(String directory) {
        return file(directory + "/" + OPAQUE_MARKER, 0644, new byte[0]);
    }

    /**
     * @param newUid numeric owner
     * @param newGid numeric group
     * @return a copy with that owner
     */
    public TarEntrySpec withOwner(long newUid, long newGid) {
        return new TarEntrySpec(type, path, mode, newUid, newGid, userName, groupName, mtime, linkTarget, size, content,
                devMajor, devMinor, xattrs);
    }

    /**
     * @param user  owner name
     * @param group group name
     * @return a copy with those names
     */
    public TarEntrySpec withOwnerNames(String user, String group) {
        return new TarEntrySpec(type, path, mode, uid, gid, user, group, mtime, linkTarget, size, content,
                devMajor, devMinor, xattrs);
    }

    /**
     * @param time whole-second modification time
     * @return a copy with that time
     */
    public TarEntrySpec withMtime(Instant time) {
        return new TarEntrySpec(type, path, mode, uid, gid, userName, groupName, time, linkTarget, size, content,
                devMajor, devMinor, xattrs);
    }

    /**
     * @param name  attribute name, e.g. {@code user.test} or {@code security.capability}
     * @param value attribute value; non-empty (an empty PAX record value means "delete the keyword")
     *              and valid UTF-8 (Commons Compress writes PAX values as UTF-8 text), which includes
     *              any bytes below 0x80 such as NUL
     * @return a copy with the attribute added
     * @throws IllegalArgumentException when the value is empty or not UTF-8
     */
    public TarEntrySpec withXattr(String name, byte[] value) {
        TreeMap<String, byte[]> more = new TreeMap<>(xattrs);
        more.put(name, value);
        return new TarEntrySpec(type, path, mode, uid, gid, userName, groupName, mtime, linkTarget, size, content,
                devMajor, devMinor, more);
    }

    /** @return true for {@code .wh.NAME} files other than the opaque marker */
    public boolean isWhiteout() {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return type == Type.FILE && name.startsWith(WHITEOUT_PREFIX) && !name.equals(OPAQUE_MARKER);
    }

    /** @return true for the opaque-directory marker */
    public boolean isOpaqueMarker() {
        return type == Type.FILE && path.substring(path.lastIndexOf('/') + 1).equals(OPAQUE_MARKER);
    }

    static String requireUtf8(byte[] value) {
        if (value.length == 0) {
            throw new IllegalArgumentException("xattr value must not be empty: an empty PAX value deletes the record");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("xattr value must be valid UTF-8 (PAX records are written as UTF-8 text)", e);
        }
    }
}

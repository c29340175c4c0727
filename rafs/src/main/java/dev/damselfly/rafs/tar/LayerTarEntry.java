package dev.damselfly.rafs.tar;

import java.util.List;

/**
 * One tar entry, normalised.
 *
 * @param rawName      the name as stored in the tar (for errors)
 * @param offset       offset of the entry in the uncompressed tar stream
 * @param path         normalised path components (empty list = the layer root, from an entry {@code ./})
 * @param kind         entry type
 * @param permissions  permission bits including setuid/setgid/sticky ({@code mode & 07777})
 * @param uid          numeric owner
 * @param gid          numeric group
 * @param mtimeSeconds modification time, whole seconds since the epoch
 * @param size         content bytes of a regular file, else 0
 * @param linkTarget   symlink target (raw, as stored) or hard-link target (normalised components joined by
 *                     {@code /}); null for other kinds
 * @param devMajor     device major for devices, else 0
 * @param devMinor     device minor for devices, else 0
 * @param xattrs       extended attributes from PAX {@code SCHILY.xattr.NAME} records, sorted by name
 */
public record LayerTarEntry(String rawName, long offset, List<String> path, TarEntryKind kind, int permissions,
                            long uid, long gid, long mtimeSeconds, long size, String linkTarget, int devMajor,
                            int devMinor, List<TarXattr> xattrs) {

    /** The normalised path joined by {@code /} (empty for the root). */
    public String pathString() {
        return String.join("/", path);
    }
}

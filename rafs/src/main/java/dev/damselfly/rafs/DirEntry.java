package dev.damselfly.rafs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One name in a directory. {@code .} and {@code ..} are not reported by {@link RafsImage#readDir}.
 *
 * @param name   raw name bytes (no NUL, no slash)
 * @param handle inode handle of the target
 * @param type   type as recorded in the directory entry (v6) or from the child's mode (v5)
 */
public record DirEntry(byte[] name, long handle, FileType type) {

    /** The name decoded as UTF-8 (invalid sequences replaced). */
    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DirEntry d && Arrays.equals(name, d.name) && handle == d.handle && type == d.type;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + Long.hashCode(handle);
    }

    @Override
    public String toString() {
        return nameString() + "->" + handle + "(" + type + ")";
    }
}

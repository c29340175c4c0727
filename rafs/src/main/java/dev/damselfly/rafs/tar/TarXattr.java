package dev.damselfly.rafs.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An extended attribute from a PAX {@code SCHILY.xattr.NAME} record.
 *
 * @param name  full name, e.g. {@code security.capability}
 * @param value raw value bytes
 */
public record TarXattr(String name, byte[] value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof TarXattr x && name.equals(x.name) && Arrays.equals(value, x.value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name + "=" + new String(value, StandardCharsets.UTF_8);
    }
}

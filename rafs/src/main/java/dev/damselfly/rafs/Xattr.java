package dev.damselfly.rafs;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One extended attribute.
 *
 * @param name  full name bytes including the prefix, e.g. {@code user.foo}, {@code security.capability}
 * @param value raw value (may be empty)
 */
public record Xattr(byte[] name, byte[] value) {

    public String nameString() {
        return new String(name, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xattr x && Arrays.equals(name, x.name) && Arrays.equals(value, x.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name) * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return nameString() + "=" + new String(value, StandardCharsets.UTF_8);
    }
}

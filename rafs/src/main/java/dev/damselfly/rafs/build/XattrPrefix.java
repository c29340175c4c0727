package dev.damselfly.rafs.build;

import java.nio.charset.StandardCharsets;

/** EROFS xattr name indexes (§1.11): the prefix is stored as a number, the rest of the name as bytes. */
enum XattrPrefix {
    USER(1, "user."),
    POSIX_ACL_ACCESS(2, "system.posix_acl_access"),
    POSIX_ACL_DEFAULT(3, "system.posix_acl_default"),
    TRUSTED(4, "trusted."),
    SECURITY(6, "security.");

    final int index;
    final String prefix;

    XattrPrefix(int index, String prefix) {
        this.index = index;
        this.prefix = prefix;
    }

    /** The prefix of {@code name}, or null if EROFS has no index for it. */
    static XattrPrefix of(String name) {
        for (XattrPrefix p : values()) {
            if (p.prefix.endsWith(".") ? name.startsWith(p.prefix) && name.length() > p.prefix.length() : name.equals(p.prefix)) {
                return p;
            }
        }
        return null;
    }

    /** The bytes stored after the prefix index. */
    static byte[] suffix(String name) {
        XattrPrefix p = of(name);
        return name.substring(p == null ? 0 : p.prefix.length()).getBytes(StandardCharsets.UTF_8);
    }
}

package dev.damselfly.rafs.tar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Normalises tar entry names into path components, refusing anything that could leave the layer root. */
public final class TarPaths {
    /** Longest name component EROFS stores: 255 bytes. */
    public static final int MAX_COMPONENT = 255;

    private TarPaths() {
    }

    /**
     * Splits {@code name} into components: empty and {@code .} components are dropped, a trailing slash is
     * ignored.
     *
     * @param entry  the entry the name belongs to (for errors)
     * @param offset offset of that entry (for errors)
     * @throws UnsafeTarPathException when the name is absolute or has a {@code ..} component
     * @throws UnsupportedTarEntryException when a component is longer than {@link #MAX_COMPONENT} bytes or
     *                                      contains NUL
     */
    public static List<String> normalise(String name, String entry, long offset) throws TarEntryException {
        if (name.startsWith("/")) {
            throw new UnsafeTarPathException(entry, offset, "absolute path '" + name + "'");
        }
        List<String> out = new ArrayList<>();
        // one pass over the name with indexOf: String.split compiles a pattern check and builds an array per entry
        for (int start = 0, end; start <= name.length(); start = end + 1) {
            end = name.indexOf('/', start);
            if (end < 0) {
                end = name.length();
            }
            String part = name.substring(start, end);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new UnsafeTarPathException(entry, offset, "path '" + name + "' has a '..' component");
            }
            if (part.indexOf('\0') >= 0) {
                throw new UnsupportedTarEntryException(entry, offset, "path '" + name + "' contains NUL");
            }
            // a UTF-16 char is at most 3 bytes of UTF-8 (a surrogate pair 4 for 2 chars): short parts need no encoding
            if (part.length() > MAX_COMPONENT / 3 && part.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT) {
                throw new UnsupportedTarEntryException(entry, offset, "name component longer than " + MAX_COMPONENT + " bytes");
            }
            out.add(part);
        }
        return List.copyOf(out);
    }
}

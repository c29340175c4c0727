package dev.damselfly.rafs.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extended attributes from raw PAX records. {@code SCHILY.xattr.NAME=VALUE} (GNU tar {@code --xattrs}, Go's
 * archive/tar, libarchive) carries the value bytes verbatim; {@code LIBARCHIVE.xattr.ENCODED_NAME=BASE64}
 * (libarchive/bsdtar) carries a percent-encoded name and a base64 value (padding optional). When both name the
 * same attribute the SCHILY value wins. (nydus-image reads only the SCHILY form; libarchive writes both, so the
 * results agree for its archives.)
 */
final class PaxXattrs {
    /** Record key prefix of the verbatim form. */
    static final String SCHILY = "SCHILY.xattr.";
    /** Record key prefix of the base64 form. */
    static final String LIBARCHIVE = "LIBARCHIVE.xattr.";

    private PaxXattrs() {
    }

    /** Whether a PAX record key carries an extended attribute. */
    static boolean isXattrKey(String key) {
        return key.startsWith(SCHILY) || key.startsWith(LIBARCHIVE);
    }

    /**
     * The attributes in {@code records}, sorted by name.
     *
     * @throws IllegalArgumentException a LIBARCHIVE record whose name or value does not decode
     */
    static List<TarXattr> of(Map<String, byte[]> records) {
        Map<String, byte[]> byName = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : records.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(LIBARCHIVE) && k.length() > LIBARCHIVE.length()) {
                String name = percentDecode(k.substring(LIBARCHIVE.length()));
                byte[] value = Base64.getDecoder().decode(new String(e.getValue(), StandardCharsets.US_ASCII).trim());
                byName.putIfAbsent(name, value);
            }
        }
        for (Map.Entry<String, byte[]> e : records.entrySet()) {
            String k = e.getKey();
            if (k.startsWith(SCHILY) && k.length() > SCHILY.length()) {
                byName.put(k.substring(SCHILY.length()), e.getValue());
            }
        }
        List<TarXattr> out = new ArrayList<>(byName.size());
        byName.forEach((n, v) -> out.add(new TarXattr(n, v)));
        out.sort(Comparator.comparing(TarXattr::name));
        return List.copyOf(out);
    }

    /** {@code %XX} escapes to bytes, the result read as UTF-8. */
    private static String percentDecode(String s) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(s.length());
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%') {
                if (i + 2 >= b.length) {
                    throw new IllegalArgumentException("bad percent escape in xattr name '" + s + "'");
                }
                int hi = Character.digit(b[i + 1], 16);
                int lo = Character.digit(b[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent escape in xattr name '" + s + "'");
                }
                o.write(hi << 4 | lo);
                i += 2;
            } else {
                o.write(b[i]);
            }
        }
        return o.toString(StandardCharsets.UTF_8);
    }
}

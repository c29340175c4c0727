package dev.damselfly.rafs.build;

import java.nio.charset.StandardCharsets;

/**
 * The 512-byte GNU tar header written <em>after</em> each blob section (§3.1, §3.7): magic {@code "ustar "},
 * version {@code " \0"}, typeflag {@code '0'}, the section name and size, zero mode/uid/gid/mtime, checksum set.
 */
final class SectionHeader {
    static final int SIZE = 512;

    private SectionHeader() {
    }

    static byte[] of(String name, long size) {
        byte[] h = new byte[SIZE];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, h, 0, n.length);
        if (size < (1L << 33)) {
            octal(h, 124, 12, size);
        } else {
            h[124] = (byte) 0x80; // GNU base-256
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        h[156] = '0';
        System.arraycopy("ustar ".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = ' ';
        h[264] = 0;
        long sum = 0;
        for (int i = 0; i < SIZE; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xFF);
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** {@code len - 1} octal digits, zero padded, NUL terminated. */
    private static void octal(byte[] h, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) {
            throw new IllegalArgumentException("value " + v + " does not fit a " + len + "-byte tar field");
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }
}

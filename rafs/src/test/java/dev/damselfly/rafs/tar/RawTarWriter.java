package dev.damselfly.rafs.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: writes tar blocks byte by byte (ustar headers, PAX {@code x}/{@code g} headers with raw binary
 * record values, GNU long names), so tests control exactly what a PAX header holds.
 */
final class RawTarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A ustar header of {@code type} followed by {@code data} padded to 512 bytes. */
    RawTarWriter entry(String name, char type, byte[] data) {
        out.writeBytes(header(name, type, data.length));
        out.writeBytes(data);
        out.writeBytes(new byte[(512 - data.length % 512) % 512]);
        return this;
    }

    /** A PAX extended header ({@code x}, or {@code g} for global) holding {@code records}. */
    RawTarWriter pax(char type, byte[]... records) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] r : records) {
            b.writeBytes(r);
        }
        return entry("PaxHeaders/x", type, b.toByteArray());
    }

    /** Two zero blocks. */
    byte[] finish() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** One {@code "LEN KEY=VALUE\n"} record with a raw value. */
    static byte[] record(String key, byte[] value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int body = 1 + k.length + 1 + value.length + 1;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len++;
        }
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
        o.writeBytes(value);
        o.write('\n');
        byte[] r = o.toByteArray();
        if (r.length != len) {
            throw new IllegalStateException("record length " + r.length + " != " + len);
        }
        return r;
    }

    static byte[] header(String name, char type, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        octal(h, 100, 8, type == '5' ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_600_000_000L);
        h[156] = (byte) type;
        System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        byte[] c = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(c, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void octal(byte[] h, int at, int width, long v) {
        byte[] s = String.format("%0" + (width - 1) + "o", v).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, at, width - 1);
    }
}

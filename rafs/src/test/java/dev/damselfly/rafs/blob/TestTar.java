package dev.damselfly.rafs.blob;

import java.nio.charset.StandardCharsets;

/** Test helper: the GNU tar header a Nydus blob puts after each section (§3.7). */
final class TestTar {
    private TestTar() {
    }

    static byte[] header(String name, long size) {
        byte[] h = new byte[512];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(n, 0, h, 0, n.length);
        byte[] s = String.format("%011o", size).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, h, 124, 11);
        byte[] m = String.format("%011o", 0).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(m, 0, h, 136, 11);
        h[156] = '0';
        System.arraycopy("ustar  ".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 7);
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
}

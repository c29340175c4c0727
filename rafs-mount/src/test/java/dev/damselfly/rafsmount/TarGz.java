package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Extracts one regular entry from a gzip'ed ustar/GNU tar (the snapshotter's bootstrap-layer fixtures). */
final class TarGz {
    private TarGz() {
    }

    static Path extract(Path tarGz, String entry, Path to) throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(tarGz)))) {
            byte[] h = new byte[512];
            while (true) {
                in.readFully(h);
                if (h[0] == 0) {
                    break;
                }
                String name = cString(h, 0, 100);
                String prefix = cString(h, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
                long size = Long.parseLong(cString(h, 124, 12).trim(), 8);
                long padded = (size + 511) / 512 * 512;
                if (name.equals(entry)) {
                    try (InputStream body = new LimitedStream(in, size)) {
                        Files.copy(body, to);
                    }
                    return to;
                }
                in.skipNBytes(padded);
            }
        }
        fail("no " + entry + " in " + tarGz);
        return null;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.US_ASCII);
    }

    private static final class LimitedStream extends InputStream {
        private final InputStream in;
        private long left;

        LimitedStream(InputStream in, long left) {
            this.in = in;
            this.left = left;
        }

        @Override
        public int read() throws IOException {
            if (left == 0) {
                return -1;
            }
            left--;
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // the tar stream stays open
        }
    }
}

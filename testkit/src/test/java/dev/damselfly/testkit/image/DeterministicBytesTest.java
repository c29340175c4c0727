package dev.damselfly.testkit.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class DeterministicBytesTest {

    @Test
    void sameSeedSameBytesDifferentSeedDifferentBytes() {
        assertArrayEquals(DeterministicBytes.bytes(1, 10_000), DeterministicBytes.bytes(1, 10_000));
        assertFalse(Arrays.equals(DeterministicBytes.bytes(1, 10_000), DeterministicBytes.bytes(2, 10_000)));
        assertEquals("sha256:", Digests.sha256(new DeterministicBytes(7, 1 << 20)).substring(0, 7));
        assertEquals(Digests.sha256(new DeterministicBytes(7, 1 << 20)), Digests.sha256(DeterministicBytes.bytes(7, 1 << 20)));
    }

    @Test
    void oddReadsSkipsAndMarksMatchTheBulkStream() throws Exception {
        int n = 100_003;
        byte[] bulk = DeterministicBytes.bytes(11, n);
        DeterministicBytes in = new DeterministicBytes(11, n);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[13];
        int r;
        int step = 1;
        while ((r = in.read(buf, 0, Math.min(buf.length, step))) > 0) {
            out.write(buf, 0, r);
            step = step % 13 + 1;
            if (out.size() % 7 == 0) {
                int single = in.read();
                if (single < 0) {
                    break;
                }
                out.write(single);
            }
        }
        assertArrayEquals(bulk, out.toByteArray());
        assertEquals(-1, in.read());

        DeterministicBytes skipping = new DeterministicBytes(11, n);
        assertEquals(50_001, skipping.skip(50_001));
        byte[] tail = new byte[10];
        assertEquals(10, skipping.read(tail));
        assertArrayEquals(Arrays.copyOfRange(bulk, 50_001, 50_011), tail);
        skipping.mark(0);
        skipping.read(tail);
        skipping.reset();
        byte[] again = new byte[10];
        skipping.read(again);
        assertArrayEquals(tail, again);
        assertEquals(n - 50_021, skipping.skip(Long.MAX_VALUE));
        assertEquals(0, new DeterministicBytes(1, 0).available());
    }

    @Test
    void isIncompressible() {
        byte[] data = DeterministicBytes.bytes(3, 1 << 20);
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(data);
        deflater.finish();
        byte[] out = new byte[data.length * 2];
        int size = deflater.deflate(out);
        deflater.end();
        assertTrue(size > data.length * 0.99, "compressed to " + size);
    }

    @Test
    void streamsAtLeastOneGibPerSecond() {
        long size = 256L << 20;
        byte[] buf = new byte[1 << 20];
        double best = 0;
        for (int round = 0; round < 5; round++) {
            DeterministicBytes in = new DeterministicBytes(round, size);
            long start = System.nanoTime();
            long total = 0;
            int r;
            while ((r = in.read(buf, 0, buf.length)) > 0) {
                total += r;
            }
            double gibPerSecond = (total / (double) (1L << 30)) / ((System.nanoTime() - start) / 1e9);
            best = Math.max(best, gibPerSecond);
        }
        assertTrue(best >= 1.0, "DeterministicBytes produced only " + best + " GiB/s");
    }
}

package dev.damselfly.rafs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file reads back byte for byte across buffer refills, skips, marks and resets like a stream. */
class FileChannelInputStreamTest {
    private static final int BUFFER = 4096;

    @TempDir
    Path dir;

    private Path file(int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(dir.resolve("f" + size), bytes);
    }

    @Test
    void readsEveryByteInOddPiecesAcrossWindows() throws IOException {
        Path f = file(5 * BUFFER + 123);
        byte[] expected = Files.readAllBytes(f);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (FileChannelInputStream in = FileChannelInputStream.open(f, BUFFER)) {
            byte[] buf = new byte[3000];
            for (int turn = 0; ; turn++) {
                int at = turn % 3 == 0 ? 0 : 7;
                int n = turn % 3 == 0 ? single(in, buf) : in.read(buf, at, buf.length - at);
                if (n < 0) {
                    break;
                }
                assertTrue(n > 0 && n <= BUFFER, "a read returns 1 to one buffer of bytes: " + n);
                got.write(buf, at, n);
            }
            assertEquals(-1, in.read());
            assertEquals(0, in.available());
        }
        assertArrayEquals(expected, got.toByteArray());
    }

    private static int single(FileChannelInputStream in, byte[] buf) throws IOException {
        int b = in.read();
        if (b < 0) {
            return -1;
        }
        buf[0] = (byte) b;
        return 1;
    }

    @Test
    void skipsMarksAndResets() throws IOException {
        Path f = file(3 * BUFFER);
        byte[] expected = Files.readAllBytes(f);
        try (FileChannelInputStream in = FileChannelInputStream.open(f, BUFFER)) {
            assertTrue(in.markSupported());
            assertEquals(BUFFER + 10, in.skip(BUFFER + 10));
            assertEquals(0, in.available(), "nothing buffered at the new position yet");
            in.mark(0);
            assertEquals(expected[BUFFER + 10] & 0xFF, in.read());
            assertEquals(BUFFER - 1, in.available(), "the rest of the buffer read at the mark");
            byte[] a = in.readNBytes(BUFFER - 1);
            assertArrayEquals(Arrays.copyOfRange(expected, BUFFER + 11, 2 * BUFFER + 10), a);
            in.reset();
            assertEquals(expected[BUFFER + 10] & 0xFF, in.read());
            assertArrayEquals(a, in.readNBytes(BUFFER - 1));
            assertEquals(BUFFER - 10, in.skip(Long.MAX_VALUE), "skip stops at the end");
            assertEquals(0, in.skip(5));
            assertEquals(-1, in.read(new byte[4], 0, 4));
            assertEquals(0, in.read(new byte[4], 0, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], 2, 3));
        }
    }

    @Test
    void anEmptyFileIsAtItsEnd() throws IOException {
        Path f = Files.write(dir.resolve("empty"), new byte[0]);
        try (FileChannelInputStream in = FileChannelInputStream.open(f)) {
            assertEquals(-1, in.read());
            assertEquals(-1, in.read(new byte[8]));
        }
    }
}

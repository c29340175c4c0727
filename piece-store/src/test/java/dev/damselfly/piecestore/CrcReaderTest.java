package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stepped read of a content-file range: exact bytes and CRC-32 across step boundaries, short files. */
class CrcReaderTest {
    private static final int OFFSET = 4096 + 17; // not step-aligned
    private static final int LENGTH = 3 * CrcReader.STEP_BYTES + 123;

    @TempDir
    Path dir;

    private byte[] fileWith(Path file, int size) throws Exception {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        Files.write(file, bytes);
        return bytes;
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32 c = new CRC32();
        c.update(bytes, from, length);
        return (int) c.getValue();
    }

    @Test
    void aRangeOfSeveralStepsReadsExactlyAndChecksumsLikeOnePass() throws Exception {
        Path file = dir.resolve("content");
        byte[] bytes = fileWith(file, OFFSET + LENGTH + 999);
        byte[] expected = Arrays.copyOfRange(bytes, OFFSET, OFFSET + LENGTH);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (boolean withCrc : new boolean[] {true, false}) {
                ByteBuffer[] buffers = {ByteBuffer.allocate(LENGTH + 50), ByteBuffer.allocateDirect(LENGTH + 50)};
                for (ByteBuffer buf : buffers) {
                    buf.position(50); // the caller's buffer need not start at 0
                    buf.limit(50 + LENGTH);
                    int answer = CrcReader.read(ch, OFFSET, buf, withCrc);
                    assertEquals(50 + LENGTH, buf.position(), "position at the end of the range");
                    assertEquals(50 + LENGTH, buf.limit(), "limit restored");
                    assertEquals(withCrc ? crc(bytes, OFFSET, LENGTH) : 0, answer);
                    byte[] got = new byte[LENGTH];
                    buf.position(50);
                    buf.get(got);
                    assertArrayEquals(expected, got, "bytes, crc=" + withCrc + " direct=" + buf.isDirect());
                }
            }
            assertEquals(crc(bytes, OFFSET, LENGTH), CrcReader.crcOfRange(ch, OFFSET, LENGTH), "region check");
        }
    }

    @Test
    void aFileEndingInsideTheRangeIsAnEofInEveryMode() throws Exception {
        Path file = dir.resolve("short");
        fileWith(file, OFFSET + 2 * CrcReader.STEP_BYTES);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            assertThrows(EOFException.class, () -> CrcReader.read(ch, OFFSET, ByteBuffer.allocate(LENGTH), true));
            assertThrows(EOFException.class, () -> CrcReader.read(ch, OFFSET, ByteBuffer.allocate(LENGTH), false));
            assertThrows(EOFException.class, () -> CrcReader.crcOfRange(ch, OFFSET, LENGTH));
        }
    }
}

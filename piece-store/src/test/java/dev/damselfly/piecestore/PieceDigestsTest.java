package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PieceDigestsTest {
    @Test
    void crc32IsIsoHdlcInUnsignedDecimal() {
        // The CRC-32/ISO-HDLC check value of "123456789" is 0xCBF43926; CRC-32C would be 0xE3069283.
        assertEquals("crc32:3421780262", PieceDigests.crc32("123456789".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("crc32:0", PieceDigests.crc32(new byte[0]));
        assertEquals(0xCBF43926, PieceDigests.parseCrc32("crc32:3421780262"));
    }

    @Test
    void crcDoesNotMoveTheBufferPosition() {
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3});
        PieceDigests.crc32(b);
        assertEquals(0, b.position());
    }

    @Test
    void rejectsMalformedCrc() {
        for (String bad : new String[] {"crc32:", "crc32:-1", "crc32:4294967296", "crc32:cbf43926", "crc32:+5",
                "crc32:007", "md5:1", null}) {
            assertThrows(InvalidPieceException.class, () -> PieceDigests.parseCrc32(bad), String.valueOf(bad));
        }
        assertEquals(-1, PieceDigests.parseCrc32("crc32:4294967295"));
    }

    @Test
    void sha256RoundTrips() {
        byte[] sha = PieceDigests.sha256Of(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
        String text = PieceDigests.formatSha256(sha);
        assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", text);
        assertArrayEquals(sha, PieceDigests.parseSha256(text));
        assertThrows(InvalidPieceException.class, () -> PieceDigests.parseSha256("sha256:abc"));
        assertThrows(InvalidPieceException.class, () -> PieceDigests.parseSha256("sha256:" + "z".repeat(64)));
    }
}

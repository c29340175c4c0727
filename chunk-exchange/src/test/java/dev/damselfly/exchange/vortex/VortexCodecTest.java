package dev.damselfly.exchange.vortex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.piecestore.PieceDigests;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Vortex byte layout against hand-computed vectors (spec §2.5), and the stream decoders on EmbeddedChannel. */
class VortexCodecTest {
    static {
        NettyLeaks.install();
    }

    private static final String TASK = "0123456789abcdef".repeat(4);
    private static final HexFormat HEX = HexFormat.of();

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.assertNoLeaks();
    }

    private static byte[] bytes(ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    @Test
    void downloadPieceIsSeventyFourBytes() {
        byte[] got = bytes(VortexCodec.encodeDownloadPiece(ByteBufAllocator.DEFAULT, (byte) 0x07, TASK, 5));
        byte[] want = new byte[74];
        System.arraycopy(hex("07 00 00000044"), 0, want, 0, 6); // id 7, tag 0, length 68
        System.arraycopy(TASK.getBytes(StandardCharsets.US_ASCII), 0, want, 6, 64);
        System.arraycopy(hex("00000005"), 0, want, 70, 4);
        assertArrayEquals(want, got);

        ByteBuf value = Unpooled.wrappedBuffer(want, 6, 68);
        DownloadPieceRequest r = VortexCodec.decodeDownloadPiece((byte) 7, value);
        assertEquals(new DownloadPieceRequest((byte) 7, TASK, 5), r);
    }

    @Test
    void pieceContentWithEmptyParentId() {
        PieceMetadata md = new PieceMetadata(1, 4_194_304L, 4_194_304L, "crc32:1", "", 1, 2, 1_700_000_000L);
        byte[] got = bytes(VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0x2a, md));
        // M = 4+8+8+4+7+4+0+1+8+8 = 52 (0x34); header length = 4 + M = 56 (0x38)
        byte[] want = hex("2a 01 00000038"
                + "00000034"                        // M
                + "00000001"                        // number
                + "0000000000400000"                // offset 4 MiB
                + "0000000000400000"                // length 4 MiB
                + "00000007" + HEX.formatHex("crc32:1".getBytes(StandardCharsets.UTF_8))
                + "00000000"                        // P = 0, no parent id bytes
                + "01"                              // traffic type REMOTE_PEER
                + "0000000000000002"                // cost 2 s
                + "000000006553f100");              // created_at 1_700_000_000
        assertArrayEquals(want, got);
        assertEquals(52, md.metadataLength());

        PieceMetadata back = VortexCodec.decodePieceMetadata(Unpooled.wrappedBuffer(want, 6, want.length - 6));
        assertEquals(md, back);
    }

    @Test
    void pieceContentWithParentIdRoundTrips() {
        PieceMetadata md = new PieceMetadata(7, 7L << 22, 1234, "crc32:3421780262", "127.0.0.1-node-ä", 1, 0, 5);
        ByteBuf b = VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0, md);
        try {
            assertEquals(4 + md.metadataLength(), b.getInt(2));
            b.skipBytes(6);
            assertEquals(md, VortexCodec.decodePieceMetadata(b));
        } finally {
            b.release();
        }
    }

    @Test
    void errorPacket() {
        byte[] got = bytes(VortexCodec.encodeError(ByteBufAllocator.DEFAULT, (byte) 3, VortexErrorCode.NOT_FOUND,
                "nope"));
        assertArrayEquals(hex("03 ff 00000006 02 3a 6e6f7065"), got);
        VortexError e = VortexCodec.decodeError(Unpooled.wrappedBuffer(got, 6, 6));
        assertEquals(new VortexError(VortexErrorCode.NOT_FOUND, "nope"), e);
        VortexError odd = VortexCodec.decodeError(Unpooled.wrappedBuffer(hex("09 3a 78")));
        assertEquals(VortexErrorCode.UNKNOWN, odd.code());
        assertEquals(9, odd.wireCode());
        assertEquals("x", odd.message());
    }

    @Test
    void digestIsDecimalIeeeCrc32() {
        // the standard CRC-32 check value of "123456789" is 0xCBF43926 = 3421780262
        assertEquals("crc32:3421780262", PieceDigests.crc32("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void malformedValuesAreRejected() {
        assertThrows(VortexProtocolException.class, () -> VortexCodec.decodeDownloadPiece((byte) 0,
                Unpooled.wrappedBuffer(("z".repeat(64) + "\0\0\0\1").getBytes(StandardCharsets.US_ASCII))));
        assertThrows(VortexProtocolException.class, () -> VortexCodec.decodeDownloadPiece((byte) 0,
                Unpooled.wrappedBuffer(new byte[67])));
        // M says 53 but 52 bytes follow
        byte[] md = bytes(VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0,
                new PieceMetadata(0, 0, 1, "crc32:1", "", 1, 0, 0)));
        md[9] = 53;
        assertThrows(VortexProtocolException.class,
                () -> VortexCodec.decodePieceMetadata(Unpooled.wrappedBuffer(md, 6, md.length - 6)));
        // digest length larger than the block
        byte[] md2 = bytes(VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0,
                new PieceMetadata(0, 0, 1, "crc32:1", "", 1, 0, 0)));
        md2[33] = 100;
        assertThrows(VortexProtocolException.class,
                () -> VortexCodec.decodePieceMetadata(Unpooled.wrappedBuffer(md2, 6, md2.length - 6)));
        assertThrows(VortexProtocolException.class, () -> VortexCodec.decodeError(Unpooled.wrappedBuffer(hex("02 20"))));
        assertThrows(IllegalArgumentException.class,
                () -> VortexCodec.encodeDownloadPiece(ByteBufAllocator.DEFAULT, (byte) 0, "abc", 0));
    }

    @Test
    void requestDecoderWaitsForSplitBytesAndIgnoresTheRest() {
        EmbeddedChannel ch = new EmbeddedChannel(new VortexRequestDecoder());
        byte[] req = bytes(VortexCodec.encodeDownloadPiece(ByteBufAllocator.DEFAULT, (byte) 9, TASK, 77));
        ch.writeInbound(Unpooled.wrappedBuffer(req, 0, 3));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(req, 3, 50));
        assertNull(ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(req, 53, req.length - 53));
        assertEquals(new DownloadPieceRequest((byte) 9, TASK, 77), ch.readInbound());
        ch.writeInbound(Unpooled.wrappedBuffer(req)); // a second request on the same connection is not served
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void requestDecoderReportsBadRequests() {
        EmbeddedChannel wrongTag = new EmbeddedChannel(new VortexRequestDecoder());
        wrongTag.writeInbound(Unpooled.wrappedBuffer(hex("01 01 00000010")));
        InvalidRequest r = wrongTag.readInbound();
        assertEquals(1, r.packetId());
        assertTrue(r.reason().contains("tag 1"), r.reason());

        EmbeddedChannel wrongLength = new EmbeddedChannel(new VortexRequestDecoder());
        wrongLength.writeInbound(Unpooled.wrappedBuffer(hex("00 00 7fffffff")));
        InvalidRequest r2 = wrongLength.readInbound();
        assertTrue(r2.reason().contains("length"), r2.reason());

        EmbeddedChannel badTask = new EmbeddedChannel(new VortexRequestDecoder());
        byte[] req = bytes(VortexCodec.encodeDownloadPiece(ByteBufAllocator.DEFAULT, (byte) 9, TASK, 1));
        req[6] = 'x';
        badTask.writeInbound(Unpooled.wrappedBuffer(req));
        assertInstanceOf(InvalidRequest.class, badTask.readInbound());

        EmbeddedChannel close = new EmbeddedChannel(new VortexRequestDecoder());
        close.writeInbound(Unpooled.wrappedBuffer(hex("00 fe 00000000")));
        assertFalse(close.isOpen());
    }

    @Test
    void responseDecoderSplitsMetadataAndBody() {
        EmbeddedChannel ch = new EmbeddedChannel(new VortexResponseDecoder());
        PieceMetadata md = new PieceMetadata(3, 30, 10, "crc32:1", "p", 1, 0, 0);
        ByteBuf header = VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0, md);
        byte[] body = "0123456789".getBytes(StandardCharsets.US_ASCII);
        ch.writeInbound(Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(body, 0, 4)));
        assertEquals(md, ch.readInbound());
        ByteBuf first = ch.readInbound();
        assertEquals("0123", first.toString(StandardCharsets.US_ASCII));
        first.release();
        ch.writeInbound(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(body, 4, 6), Unpooled.wrappedBuffer(hex("eeee"))));
        ByteBuf second = ch.readInbound();
        assertEquals("456789", second.toString(StandardCharsets.US_ASCII));
        second.release();
        assertNull(ch.readInbound(), "bytes after the body are dropped");
        assertFalse(ch.finish());
    }

    @Test
    void responseDecoderReadsErrorsAndRejectsUnknownTags() {
        EmbeddedChannel ch = new EmbeddedChannel(new VortexResponseDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(hex("00 ff 00000004 02 3a 6e6f")));
        assertEquals(new VortexError(VortexErrorCode.NOT_FOUND, "no"), ch.readInbound());

        EmbeddedChannel bad = new EmbeddedChannel(new VortexResponseDecoder());
        DecoderException e = assertThrows(DecoderException.class,
                () -> bad.writeInbound(Unpooled.wrappedBuffer(hex("00 07 00000000"))));
        assertInstanceOf(VortexProtocolException.class, e.getCause());

        EmbeddedChannel huge = new EmbeddedChannel(new VortexResponseDecoder());
        assertThrows(DecoderException.class, () -> huge.writeInbound(Unpooled.wrappedBuffer(hex("00 01 7fffffff"))));
    }
}

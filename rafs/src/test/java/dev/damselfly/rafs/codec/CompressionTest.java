package dev.damselfly.rafs.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.RafsFormatException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {
    static final byte[] DATA = sample();

    private static byte[] sample() {
        byte[] d = new byte[100_000];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) ((i * 7) ^ (i >> 9));
        }
        return d;
    }

    static byte[] compress(Compression c, byte[] d) throws Exception {
        switch (c) {
            case NONE: return d.clone();
            case ZSTD: return Zstd.compress(d);
            case LZ4_BLOCK: return Lz4.factory().fastCompressor().compress(d);
            case GZIP:
                ByteArrayOutputStream bo = new ByteArrayOutputStream();
                try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
                    g.write(d);
                }
                return bo.toByteArray();
            default: throw new IllegalArgumentException();
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void roundTrips(Compression c) throws Exception {
        assertArrayEquals(DATA, c.decompress(compress(c, DATA), DATA.length, "t", 0));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void wrongSizeIsATypedError(Compression c) throws Exception {
        RafsFormatException e = assertThrows(RafsFormatException.class,
                () -> c.decompress(compress(c, DATA), DATA.length + 1, "blob-x", 77));
        assertEquals("blob-x", e.input());
        assertEquals(77, e.offset());
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"ZSTD", "LZ4_BLOCK", "GZIP"})
    void corruptStreamsAreTypedErrors(Compression c) throws Exception {
        byte[] z = compress(c, DATA);
        byte[] truncated = Arrays.copyOf(z, z.length / 2);
        assertThrows(RafsFormatException.class, () -> c.decompress(truncated, DATA.length, "t", 0));
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xA5);
        assertThrows(RafsFormatException.class, () -> c.decompress(garbage, DATA.length, "t", 0));
    }

    @Test
    void absurdSizesAreRejectedBeforeAllocating() {
        assertThrows(RafsFormatException.class, () -> Compression.ZSTD.decompress(new byte[10], Integer.MAX_VALUE, "t", 0));
        assertThrows(RafsFormatException.class, () -> Compression.LZ4_BLOCK.decompress(new byte[10], -1, "t", 0));
    }

    @Test
    void codesAndFlags() {
        assertEquals(Compression.ZSTD, Compression.ofCode(3));
        assertEquals(null, Compression.ofCode(9));
        assertEquals(Compression.ZSTD, Compression.ofSuperblockFlags(0x194));
        assertEquals(Compression.LZ4_BLOCK, Compression.ofSuperblockFlags(0x6));
        assertEquals(null, Compression.ofSuperblockFlags(0x3));
        assertEquals(DigestAlgorithm.BLAKE3, DigestAlgorithm.ofSuperblockFlags(0x194));
        assertEquals(DigestAlgorithm.SHA256, DigestAlgorithm.ofSuperblockFlags(0x9));
        assertEquals(null, DigestAlgorithm.ofSuperblockFlags(0xC));
    }

    @Test
    void digestsMatchKnownVectors() {
        assertEquals("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
                HexFormat.of().formatHex(DigestAlgorithm.BLAKE3.digest(new byte[0])));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HexFormat.of().formatHex(DigestAlgorithm.SHA256.digest(new byte[0])));
    }
}

package dev.damselfly.rafs.codec;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import dev.damselfly.rafs.RafsFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;

/** Chunk / chunk-info compression algorithms, by their blob-table code (§1.5 {@code compression_algo}). */
public enum Compression {
    /** Stored raw (code 0, superblock flag 0x1). */
    NONE(0, 0x1),
    /** Raw LZ4 block, no frame and no size prefix (code 1, flag 0x2). */
    LZ4_BLOCK(1, 0x2),
    /** gzip stream (code 2, flag 0x40). */
    GZIP(2, 0x40),
    /** One zstd frame (code 3, flag 0x80). */
    ZSTD(3, 0x80);

    /** Largest single decompression we agree to do: 512 MiB (chunks are at most 16 MiB; CI arrays 400 MiB). */
    public static final int MAX_DECOMPRESSED = 512 << 20;

    /** lz4-java's decompressor, made on first use: loading its native library takes about 80 ms. */
    private static final class Lz4Decompressor {
        static final LZ4SafeDecompressor INSTANCE = Lz4.factory().safeDecompressor();
    }

    private final int code;
    private final long superblockFlag;

    Compression(int code, long superblockFlag) {
        this.code = code;
        this.superblockFlag = superblockFlag;
    }

    /** Code in the v6 blob table and blob-meta header. */
    public int code() {
        return code;
    }

    /** Bit in the RAFS superblock flags (§1.3). */
    public long superblockFlag() {
        return superblockFlag;
    }

    /** Algorithm for a blob-table code, or null if unknown. */
    public static Compression ofCode(long code) {
        for (Compression c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /** The single compression bit set in RAFS superblock {@code flags}, or null if none or several. */
    public static Compression ofSuperblockFlags(long flags) {
        Compression found = null;
        for (Compression c : values()) {
            if ((flags & c.superblockFlag) != 0) {
                if (found != null) {
                    return null;
                }
                found = c;
            }
        }
        return found;
    }

    /**
     * Decompresses {@code src} to exactly {@code uncompressedSize} bytes.
     *
     * @param input  name of the input the bytes came from (for errors)
     * @param offset offset of {@code src} in that input (for errors)
     * @throws RafsFormatException when the data is corrupt or does not decode to exactly that size
     */
    public byte[] decompress(byte[] src, int uncompressedSize, String input, long offset) throws RafsFormatException {
        if (uncompressedSize < 0 || uncompressedSize > MAX_DECOMPRESSED) {
            throw new RafsFormatException(input, offset, "absurd uncompressed size " + uncompressedSize);
        }
        switch (this) {
            case NONE:
                if (src.length != uncompressedSize) {
                    throw new RafsFormatException(input, offset,
                            "uncompressed data is " + src.length + " bytes, expected " + uncompressedSize);
                }
                return src;
            case LZ4_BLOCK:
                return lz4(src, uncompressedSize, input, offset);
            case ZSTD:
                return zstd(src, uncompressedSize, input, offset);
            case GZIP:
                return gzip(src, uncompressedSize, input, offset);
            default:
                throw new IllegalStateException(name());
        }
    }

    private static byte[] lz4(byte[] src, int size, String input, long offset) throws RafsFormatException {
        byte[] out = new byte[size];
        int n;
        try {
            n = Lz4Decompressor.INSTANCE.decompress(src, 0, src.length, out, 0, size);
        } catch (LZ4Exception e) {
            throw new RafsFormatException(input, offset, RafsFormatException.UNKNOWN, "corrupt lz4 block: " + e.getMessage(), e);
        }
        if (n != size) {
            throw new RafsFormatException(input, offset, "lz4 block decodes to " + n + " bytes, expected " + size);
        }
        return out;
    }

    private static byte[] zstd(byte[] src, int size, String input, long offset) throws RafsFormatException {
        byte[] out = new byte[size];
        long n;
        try {
            n = Zstd.decompressByteArray(out, 0, size, src, 0, src.length);
        } catch (ZstdException e) {
            throw new RafsFormatException(input, offset, RafsFormatException.UNKNOWN, "corrupt zstd frame: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new RafsFormatException(input, offset, RafsFormatException.UNKNOWN, "corrupt zstd frame: " + e, e);
        }
        if (Zstd.isError(n)) {
            throw new RafsFormatException(input, offset, "corrupt zstd frame: " + Zstd.getErrorName(n));
        }
        if (n != size) {
            throw new RafsFormatException(input, offset, "zstd frame decodes to " + n + " bytes, expected " + size);
        }
        return out;
    }

    private static byte[] gzip(byte[] src, int size, String input, long offset) throws RafsFormatException {
        byte[] out = new byte[size];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(src))) {
            int n = in.readNBytes(out, 0, size);
            if (n != size || in.read() != -1) {
                throw new RafsFormatException(input, offset, "gzip stream does not decode to " + size + " bytes");
            }
        } catch (IOException e) {
            if (e instanceof RafsFormatException r) {
                throw r;
            }
            throw new RafsFormatException(input, offset, RafsFormatException.UNKNOWN, "corrupt gzip stream: " + e.getMessage(), e);
        }
        return out;
    }
}

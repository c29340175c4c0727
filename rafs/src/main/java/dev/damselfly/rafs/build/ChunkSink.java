package dev.damselfly.rafs.build;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.tar.CorruptTarException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Cuts file content into chunks and appends each new chunk to the blob (§3.2): digest of the uncompressed
 * bytes, dedup by (digest, length) within the layer, compression when it helps, a 4 KiB aligned offset in the
 * blob's uncompressed space. Keeps one chunk buffer plus ~70 bytes of metadata per distinct chunk.
 */
final class ChunkSink {
    /** Most chunks a blob can index (24-bit CI index, §1.8). */
    static final int MAX_CHUNKS = 0xFFFFFF - 1;
    private static final int ZSTD_LEVEL = 3;
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    private final BlobOutput out;
    private final LayerBuildOptions opts;
    private final byte[] buf;
    private final byte[] packed;
    private final Map<ByteBuffer, Integer> seen = new HashMap<>();
    private final ChunkList chunks = new ChunkList();
    private long uncompressedEnd;
    private long references;

    ChunkSink(BlobOutput out, LayerBuildOptions opts) {
        this.out = out;
        this.opts = opts;
        this.buf = new byte[opts.chunkSize()];
        int bound = opts.compression() == Compression.ZSTD ? (int) Zstd.compressBound(opts.chunkSize())
                : opts.compression() == Compression.LZ4_BLOCK ? LZ4.maxCompressedLength(opts.chunkSize()) : 0;
        this.packed = new byte[bound];
    }

    /**
     * Reads exactly {@code size} bytes of one file and returns the CI index of each of its chunks.
     *
     * @param entry the tar entry (for errors)
     * @param entryOffset its offset in the tar stream (for errors)
     */
    int[] writeFile(InputStream in, long size, String entry, long entryOffset) throws IOException {
        long n = (size + opts.chunkSize() - 1) / opts.chunkSize();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CorruptTarException(entry, entryOffset, "file of " + size + " bytes has too many chunks", null);
        }
        int[] ids = new int[(int) n];
        for (int k = 0; k < n; k++) {
            int len = (int) Math.min(opts.chunkSize(), size - (long) k * opts.chunkSize());
            int got;
            try {
                got = in.readNBytes(buf, 0, len);
            } catch (IOException e) {
                throw new CorruptTarException(entry, entryOffset, "cannot read the entry's data: " + e.getMessage(), e);
            }
            if (got != len) {
                throw new CorruptTarException(entry, entryOffset, "tar ends inside the entry's data (" + size
                        + " bytes announced, " + ((long) k * opts.chunkSize() + got) + " present)", null);
            }
            ids[k] = add(len, (long) k * opts.chunkSize());
        }
        return ids;
    }

    private int add(int len, long fileOffset) throws IOException {
        references++;
        byte[] digest = opts.digest().digest(buf, 0, len);
        ByteBuffer key = ByteBuffer.allocate(36).put(digest).putInt(len).flip();
        Integer known = seen.get(key);
        if (known != null) {
            return known;
        }
        if (chunks.size() >= MAX_CHUNKS) {
            throw new IOException("layer has more than " + MAX_CHUNKS + " distinct chunks");
        }
        if (opts.aligned()) {
            out.padTo(4096);
        }
        byte[] data = buf;
        int stored = len;
        if (opts.compression() == Compression.ZSTD) {
            long c = Zstd.compressByteArray(packed, 0, packed.length, buf, 0, len, ZSTD_LEVEL);
            if (Zstd.isError(c)) {
                throw new IOException("zstd compression failed: " + Zstd.getErrorName(c));
            }
            if (c < len) {
                data = packed;
                stored = (int) c;
            }
        } else if (opts.compression() == Compression.LZ4_BLOCK) {
            int c = LZ4.compress(buf, 0, len, packed, 0, packed.length);
            if (c < len) {
                data = packed;
                stored = c;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, len);
        long compressedOffset = out.position();
        if (opts.aligned() && compressedOffset != uncompressedEnd) {
            throw new IllegalStateException("aligned blob offset " + compressedOffset + " != " + uncompressedEnd);
        }
        out.write(data, 0, stored);
        int index = chunks.add(digest, compressedOffset, stored, uncompressedEnd, len, data != buf,
                (int) crc.getValue(), fileOffset);
        uncompressedEnd += (len + 4095L) & ~4095L;
        seen.put(key, index);
        return index;
    }

    /** The distinct chunks written, in CI order. */
    ChunkList chunks() {
        return chunks;
    }

    /** Size of the blob's uncompressed address space: the last chunk end rounded up to 4 KiB. */
    long uncompressedSize() {
        return uncompressedEnd;
    }

    /** Chunk references made by files (≥ distinct chunks; the difference was deduplicated). */
    long references() {
        return references;
    }

    /** The V1 chunk-info array (§3.4): 16 bytes per chunk, CI order. */
    byte[] chunkInfoV1() {
        ByteBuffer b = ByteBuffer.allocate(chunks.size() * 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < chunks.size(); i++) {
            long us = chunks.uncompressedSize(i) - 1;
            long cs = chunks.compressedSize(i) - 1;
            long u = ((us >>> 20) & 0xF) << 8 | (chunks.uncompressedOffset(i) & ((1L << 44) - 1) & ~0xFFFL) | (us & 0xFFFFF) << 44;
            long c = (chunks.compressedOffset(i) & ((1L << 40) - 1)) | ((cs >>> 20) & 0xF) << 40 | (cs & 0xFFFFF) << 44;
            b.putLong(u).putLong(c);
        }
        return b.array();
    }

    /** The chunk digest array (§3.6): 32 bytes per chunk, CI order. */
    byte[] digestArray() {
        ByteArrayOutputStream o = new ByteArrayOutputStream(chunks.size() * 32);
        for (int i = 0; i < chunks.size(); i++) {
            o.writeBytes(chunks.digest(i));
        }
        return o.toByteArray();
    }

}

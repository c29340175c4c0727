package dev.damselfly.rafs.blob;

import dev.damselfly.rafs.RafsFormatException;
import java.io.EOFException;
import java.io.IOException;

/** Blob reads that turn a short blob into a {@link RafsFormatException} naming the blob and the offset. */
final class BlobReads {
    private BlobReads() {
    }

    static byte[] read(BlobByteSource src, long offset, long length, String what) throws IOException {
        if (offset < 0 || length < 0 || length > Integer.MAX_VALUE) {
            throw new RafsFormatException(src.name(), offset, "absurd " + what + " range of " + length + " bytes");
        }
        long size = src.size();
        if (offset > size || length > size - offset) {
            throw new RafsFormatException(src.name(), offset, what + " (" + length + " bytes) runs past the end of a blob of "
                    + size + " bytes");
        }
        try {
            return src.read(offset, (int) length);
        } catch (EOFException e) {
            throw new RafsFormatException(src.name(), offset, RafsFormatException.UNKNOWN, "truncated blob reading " + what, e);
        }
    }

    static long u32(byte[] b, int o) {
        return (b[o] & 0xFFL) | (b[o + 1] & 0xFFL) << 8 | (b[o + 2] & 0xFFL) << 16 | (b[o + 3] & 0xFFL) << 24;
    }

    static long u64(byte[] b, int o) {
        return u32(b, o) | u32(b, o + 4) << 32;
    }
}

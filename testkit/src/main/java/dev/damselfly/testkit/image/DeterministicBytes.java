package dev.damselfly.testkit.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * An {@link InputStream} of {@code length} pseudo-random bytes determined by a seed, for blobs of
 * any size (multi-GiB) that are never held in memory. Counter-based: 8-byte word {@code i} is the
 * SplitMix64 finalizer of {@code seed + (i + 1) * 0x9E3779B97F4A7C15}, little-endian, so
 * {@link #skip(long)} is O(1) and any range can be regenerated independently. Produces several
 * GiB/s on one core. Not cryptographic; incompressible for gzip/zstd purposes.
 */
public final class DeterministicBytes extends InputStream {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long seed;
    private final long length;
    private long position;
    private long mark;

    /**
     * @param seed   any value; equal seeds give equal bytes
     * @param length stream length in bytes, at least 0
     */
    public DeterministicBytes(long seed, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was " + length);
        }
        this.seed = seed;
        this.length = length;
    }

    /**
     * @param seed   the seed
     * @param length how many bytes, at most {@code Integer.MAX_VALUE - 8}
     * @return the first {@code length} bytes of the stream for {@code seed}
     */
    public static byte[] bytes(long seed, int length) {
        byte[] out = new byte[length];
        fill(seed, 0, out, 0, length);
        return out;
    }

    /**
     * Fills {@code out[off, off+len)} with stream bytes {@code [position, position+len)}.
     *
     * @param seed     the seed
     * @param position stream offset of the first byte
     * @param out      destination
     * @param off      offset in {@code out}
     * @param len      number of bytes
     */
    public static void fill(long seed, long position, byte[] out, int off, int len) {
        int end = off + len;
        long pos = position;
        while ((pos & 7) != 0 && off < end) {
            out[off++] = byteAt(seed, pos++);
        }
        long word = pos >>> 3;
        while (end - off >= 8) {
            LONGS.set(out, off, mix(seed + (word + 1) * GOLDEN));
            off += 8;
            word++;
        }
        pos = word << 3;
        while (off < end) {
            out[off++] = byteAt(seed, pos++);
        }
    }

    private static byte byteAt(long seed, long pos) {
        return (byte) (mix(seed + ((pos >>> 3) + 1) * GOLDEN) >>> ((pos & 7) * 8));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** @return total stream length in bytes */
    public long length() {
        return length;
    }

    /** @return bytes consumed so far */
    public long position() {
        return position;
    }

    @Override
    public int read() {
        if (position >= length) {
            return -1;
        }
        return byteAt(seed, position++) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        fill(seed, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, length - position));
        position += skipped;
        return skipped;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, length - position);
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readlimit) {
        mark = position;
    }

    @Override
    public synchronized void reset() {
        position = mark;
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        int n;
        while ((n = read(buffer, 0, buffer.length)) > 0) {
            out.write(buffer, 0, n);
            total += n;
        }
        return total;
    }
}

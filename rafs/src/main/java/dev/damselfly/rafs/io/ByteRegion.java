package dev.damselfly.rafs.io;

import dev.damselfly.rafs.RafsFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Immutable, bounds-checked, little-endian view of an input's bytes. Backed by a read-only memory map of a
 * file (pages are read on demand by the OS, the heap holds nothing) or by a byte array. Inputs are limited
 * to {@link #MAX_SIZE} bytes. Thread-safe: only absolute reads are used.
 */
public final class ByteRegion {
    /** Largest input accepted: 2 GiB − 1 bytes (a bootstrap that big is not a real image). */
    public static final long MAX_SIZE = Integer.MAX_VALUE;

    private final String name;
    private final ByteBuffer buf;

    private ByteRegion(String name, ByteBuffer buf) {
        this.name = name;
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Maps {@code file} read-only. */
    public static ByteRegion map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > MAX_SIZE) {
                throw new RafsFormatException(file.toString(), 0, "input of " + size + " bytes exceeds " + MAX_SIZE);
            }
            return new ByteRegion(file.toString(), ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    /** Wraps {@code bytes} (not copied) under the label {@code name}. */
    public static ByteRegion of(String name, byte[] bytes) {
        return new ByteRegion(name, ByteBuffer.wrap(bytes));
    }

    /** Label used in errors: the file path, or what the caller named in-memory bytes. */
    public String name() {
        return name;
    }

    /** Total bytes. */
    public long size() {
        return buf.capacity();
    }

    /** Throws unless {@code [offset, offset + length)} lies within the input. */
    public void check(long offset, long length, String what) throws RafsFormatException {
        if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
            throw new RafsFormatException(name, offset,
                    what + " (" + length + " bytes) lies outside the input of " + size() + " bytes");
        }
    }

    public int u8(long offset) throws RafsFormatException {
        check(offset, 1, "u8");
        return buf.get((int) offset) & 0xFF;
    }

    public int u16(long offset) throws RafsFormatException {
        check(offset, 2, "u16");
        return buf.getShort((int) offset) & 0xFFFF;
    }

    public long u32(long offset) throws RafsFormatException {
        check(offset, 4, "u32");
        return buf.getInt((int) offset) & 0xFFFFFFFFL;
    }

    /** Signed 64-bit value (callers validate ranges). */
    public long u64(long offset) throws RafsFormatException {
        check(offset, 8, "u64");
        return buf.getLong((int) offset);
    }

    /** Copies {@code length} bytes at {@code offset}. */
    public byte[] bytes(long offset, long length) throws RafsFormatException {
        check(offset, length, "byte range");
        byte[] out = new byte[(int) length];
        buf.get((int) offset, out);
        return out;
    }

    /** True when all {@code length} bytes at {@code offset} are zero. */
    public boolean isZero(long offset, long length) throws RafsFormatException {
        check(offset, length, "byte range");
        for (long i = 0; i < length; i++) {
            if (buf.get((int) (offset + i)) != 0) {
                return false;
            }
        }
        return true;
    }
}

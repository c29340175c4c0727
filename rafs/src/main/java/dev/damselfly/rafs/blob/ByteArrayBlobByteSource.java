package dev.damselfly.rafs.blob;

import java.io.EOFException;
import java.util.Arrays;

/** A blob held in memory (tests, small metadata blobs). */
public final class ByteArrayBlobByteSource implements BlobByteSource {
    private final String name;
    private final byte[] bytes;

    public ByteArrayBlobByteSource(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public byte[] read(long offset, int length) throws EOFException {
        if (offset < 0 || length < 0 || offset > bytes.length || length > bytes.length - offset) {
            throw new EOFException(name + ": range [" + offset + ", +" + length + ") outside a blob of " + bytes.length + " bytes");
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) offset + length);
    }
}

package dev.damselfly.rafs.blob;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A blob in a local file, read with positional {@link FileChannel} reads. Thread-safe; close when done. */
public final class FileBlobByteSource implements BlobByteSource, AutoCloseable {
    private final Path file;
    private final FileChannel channel;

    public FileBlobByteSource(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    @Override
    public String name() {
        return file.toString();
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public byte[] read(long offset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset > channel.size() || length > channel.size() - offset) {
            throw new EOFException(file + ": range [" + offset + ", +" + length + ") outside a blob of " + channel.size() + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new EOFException(file + ": unexpected end at " + pos);
            }
            pos += n;
        }
        return buf.array();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

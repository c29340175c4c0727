package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Reads a byte range of a regular file: maps it to chunks and copies the wanted parts of their bytes. */
public final class FileReader {
    private final RafsImage image;
    private final ChunkLoader loader;
    private final AccessTrace trace;
    private final long amplifyIo;

    /**
     * @param amplifyIo bytes of following file data offered to the loader for the same source read
     */
    public FileReader(RafsImage image, ChunkLoader loader, AccessTrace trace, long amplifyIo) {
        this.image = image;
        this.loader = loader;
        this.trace = trace;
        this.amplifyIo = amplifyIo;
    }

    /**
     * Up to {@code length} bytes of file {@code handle} (of {@code size} bytes) at {@code offset}; fewer at the
     * end of the file, none past it.
     *
     * @param path the file's path, for the access trace, logs and errors
     * @throws ChunkReadException when a chunk cannot be delivered verified
     */
    public int read(String path, long handle, long size, long offset, byte[] into, int length) throws IOException {
        return read(path, handle, size, offset, ByteBuffer.wrap(into, 0, Math.min(length, into.length)));
    }

    /**
     * Fills {@code into} from its position with up to {@code into.remaining()} bytes of file {@code handle} (of
     * {@code size} bytes) at {@code offset}; fewer at the end of the file, none past it. Chunks this mount already
     * checked in the blob cache are read straight into {@code into} (for a direct buffer, such as the FUSE reply
     * buffer, without any copy through the Java heap). Returns the number of bytes written; {@code into}'s
     * position is then unspecified.
     *
     * @param path the file's path, for the access trace, logs and errors
     * @throws ChunkReadException when a chunk cannot be delivered verified
     */
    public int read(String path, long handle, long size, long offset, ByteBuffer into) throws IOException {
        int length = into.remaining();
        if (offset >= size || length <= 0) {
            return 0;
        }
        trace.recordRead(path);
        int base = into.position();
        int n = (int) Math.min(length, size - offset);
        List<ChunkRef> chunks = new ArrayList<>();
        for (ChunkRef c : image.chunks(handle, offset, n)) {
            long from = Math.max(offset, c.fileOffset());
            long to = Math.min(offset + n, c.fileOffset() + c.uncompressedSize());
            ByteBuffer part = into.duplicate();
            part.limit(base + (int) (to - offset)).position(base + (int) (from - offset));
            if (!loader.cachedRange(c, (int) (from - c.fileOffset()), part)) {
                chunks.add(c);
            }
        }
        if (chunks.isEmpty()) {
            return n;
        }
        List<ChunkRef> following = List.of();
        ChunkRef last = chunks.get(chunks.size() - 1);
        long next = last.fileOffset() + last.uncompressedSize();
        if (next < size) {
            following = image.chunks(handle, next, amplifyIo);
        }
        List<byte[]> data = loader.load(path, chunks, following);
        for (int i = 0; i < chunks.size(); i++) {
            ChunkRef c = chunks.get(i);
            long from = Math.max(offset, c.fileOffset());
            long to = Math.min(offset + n, c.fileOffset() + c.uncompressedSize());
            into.put(base + (int) (from - offset), data.get(i), (int) (from - c.fileOffset()), (int) (to - from));
        }
        return n;
    }
}

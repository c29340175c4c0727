package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsImage;
import java.io.IOException;
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
        if (offset >= size || length <= 0) {
            return 0;
        }
        trace.recordRead(path);
        int n = (int) Math.min(length, size - offset);
        List<ChunkRef> chunks = new ArrayList<>();
        for (ChunkRef c : image.chunks(handle, offset, n)) {
            long from = Math.max(offset, c.fileOffset());
            long to = Math.min(offset + n, c.fileOffset() + c.uncompressedSize());
            byte[] part = loader.cachedRange(c, (int) (from - c.fileOffset()), (int) (to - from));
            if (part != null) {
                System.arraycopy(part, 0, into, (int) (from - offset), part.length);
            } else {
                chunks.add(c);
            }
        }
        if (chunks.isEmpty()) {
            return n;
        }
        List<ChunkRef> following = List.of();
        if (!chunks.isEmpty()) {
            ChunkRef last = chunks.get(chunks.size() - 1);
            long next = last.fileOffset() + last.uncompressedSize();
            if (next < size) {
                following = image.chunks(handle, next, amplifyIo);
            }
        }
        List<byte[]> data = loader.load(path, chunks, following);
        for (int i = 0; i < chunks.size(); i++) {
            ChunkRef c = chunks.get(i);
            long from = Math.max(offset, c.fileOffset());
            long to = Math.min(offset + n, c.fileOffset() + c.uncompressedSize());
            System.arraycopy(data.get(i), (int) (from - c.fileOffset()), into, (int) (from - offset), (int) (to - from));
        }
        return n;
    }
}

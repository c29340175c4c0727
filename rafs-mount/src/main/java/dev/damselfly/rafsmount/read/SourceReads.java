package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.ChunkRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Groups chunks into source reads: sorted by blob and compressed offset, a chunk joins the read before it when it is
 * in the same blob, starts at or after that read's end with at most {@code gapBytes} between them, and keeps the
 * read within {@code limitBytes} (a single larger chunk is a read of its own). Used by readers' fetches and by
 * prefetch.
 */
public final class SourceReads {
    private SourceReads() {
    }

    /**
     * @param items     what to group (not changed)
     * @param chunkOf   the chunk of an item
     * @param gapBytes  largest run of unwanted bytes a read may span, bytes
     * @param limitBytes largest read, bytes
     * @return the reads, each a non-empty list of items in blob order
     */
    public static <T> List<List<T>> cut(List<T> items, Function<T, ChunkRef> chunkOf, long gapBytes, long limitBytes) {
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparingInt((T t) -> chunkOf.apply(t).blobIndex())
                .thenComparingLong(t -> chunkOf.apply(t).compressedOffset()));
        List<List<T>> reads = new ArrayList<>();
        List<T> read = null;
        ChunkRef first = null;
        ChunkRef last = null;
        for (T item : sorted) {
            ChunkRef c = chunkOf.apply(item);
            if (read != null && c.blobIndex() == first.blobIndex() && c.compressedOffset() >= end(last)
                    && c.compressedOffset() - end(last) <= gapBytes && end(c) - first.compressedOffset() <= limitBytes) {
                read.add(item);
                last = c;
                continue;
            }
            read = new ArrayList<>();
            read.add(item);
            reads.add(read);
            first = c;
            last = c;
        }
        return reads;
    }

    private static long end(ChunkRef c) {
        return c.compressedOffset() + c.compressedSize();
    }
}

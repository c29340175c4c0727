package dev.damselfly.rafsmount.read;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.rafs.ChunkRef;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** How chunks are grouped into source reads: blob order, gaps, the size limit, and one chunk larger than it. */
class SourceReadsTest {
    private static ChunkRef chunk(int blob, long index, long offset, long size) {
        return new ChunkRef(0, blob, "blob" + blob, index, offset, size, index * 4096, size, true, new byte[32], false);
    }

    private static List<List<Long>> indexes(List<List<ChunkRef>> reads) {
        return reads.stream().map(r -> r.stream().map(ChunkRef::chunkIndex).toList()).toList();
    }

    @Test
    void adjacentChunksOfABlobShareAReadWithinTheGapAndTheLimit() {
        List<ChunkRef> chunks = List.of(
                chunk(0, 3, 300, 100),   // given out of order
                chunk(0, 1, 100, 100),
                chunk(0, 2, 200, 100),   // 1-2-3 adjacent
                chunk(0, 4, 410, 100),   // 10-byte gap: joins
                chunk(0, 5, 600, 100),   // 90-byte gap: a new read
                chunk(1, 6, 700, 100),   // another blob: a new read even though it would be adjacent
                chunk(0, 7, 700, 1000)); // larger than the limit: alone
        List<List<ChunkRef>> reads = SourceReads.cut(chunks, Function.identity(), 10, 450);
        assertEquals(List.of(List.of(1L, 2L, 3L, 4L), List.of(5L), List.of(7L), List.of(6L)), indexes(reads));
    }

    @Test
    void theLimitCutsALongRun() {
        List<ChunkRef> chunks = List.of(chunk(0, 0, 0, 100), chunk(0, 1, 100, 100), chunk(0, 2, 200, 100),
                chunk(0, 3, 300, 100), chunk(0, 4, 400, 100));
        assertEquals(List.of(List.of(0L, 1L), List.of(2L, 3L), List.of(4L)),
                indexes(SourceReads.cut(chunks, Function.identity(), 0, 250)));
    }
}

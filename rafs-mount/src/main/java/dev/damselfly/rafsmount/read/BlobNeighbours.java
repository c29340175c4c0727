package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.chunk.ChunkRecord;
import dev.damselfly.rafs.chunk.ChunkTable;
import dev.damselfly.rafs.v6.V6Image;

/**
 * The chunk stored after a given chunk in the same blob, whichever file it belongs to, for amplifying a read
 * across files (nydusd §5.6: the user request is extended "by CI index"). It asks the RAFS v6 bootstrap's chunk
 * info table for (blob, chunk-info index + 1), through the table's existing hash index: no extra heap, no blob
 * read. Images without such a table (RAFS v5, plain EROFS) have no neighbours here; the caller then amplifies
 * within the file only. The caller must still check that the neighbour is contiguous in compressed order (a
 * chunk-info index order that is not the storage order merely ends the extension).
 */
final class BlobNeighbours {
    private static final long FLAG_HOLE = 0x2;

    private final RafsImage image;
    private final ChunkTable table;

    BlobNeighbours(RafsImage image) {
        this.image = image;
        this.table = image instanceof V6Image v6 && v6.extSuperblock() != null && v6.chunkTable().size() > 0
                ? v6.chunkTable() : null;
    }

    /** Whether this image can name a chunk's blob neighbours at all. */
    boolean available() {
        return table != null;
    }

    /**
     * The chunk with chunk-info index {@code c.chunkIndex() + 1} in {@code c}'s blob, or null when there is none,
     * the bootstrap does not list it (no file of this image uses it), or it is a kind the mount does not read
     * (hole, batch, encrypted). Its {@link ChunkRef#fileOffset()} is the record's informational one.
     */
    ChunkRef next(ChunkRef c) {
        if (table == null || c.hole() || c.chunkIndex() < 0) {
            return null;
        }
        BlobInfo blob = image.blobs().get(c.blobIndex());
        long ci = c.chunkIndex() + 1;
        if (ci >= blob.chunkCount()) {
            return null;
        }
        ChunkRecord rec;
        try {
            rec = table.find(c.blobIndex(), ci);
        } catch (RafsException e) {
            return null; // a malformed table only costs the amplification
        }
        if (rec == null || (rec.flags() & (FLAG_HOLE | ChunkRecord.FLAG_BATCH | ChunkRecord.FLAG_ENCRYPTED)) != 0
                || rec.compressedSize() <= 0 || rec.uncompressedSize() <= 0) {
            return null;
        }
        return new ChunkRef(rec.fileOffset(), c.blobIndex(), blob.blobId(), ci, rec.compressedOffset(),
                rec.compressedSize(), rec.uncompressedOffset(), rec.uncompressedSize(), rec.compressed(), rec.digest(),
                false);
    }
}

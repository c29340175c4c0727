package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The chunk index: content digest (a Nydus chunk digest) → byte range of a task, in the {@code chunk} column
 * family, so a chunk shared by two images is stored and fetched once. An entry answers only while its task is
 * in the index and every piece covering the range is stored; an entry whose task is gone is removed when looked
 * up.
 */
final class ChunkIndex {
    private final StoreContext ctx;
    private final TaskRegistry tasks;
    private final PieceReader reader;

    ChunkIndex(StoreContext ctx, TaskRegistry tasks, PieceReader reader) {
        this.ctx = ctx;
        this.tasks = tasks;
        this.reader = reader;
    }

    void put(String digest, ChunkLocation location) {
        if (digest == null || digest.isEmpty()) {
            throw new InvalidPieceException("empty chunk digest");
        }
        TaskState t = tasks.require(location.taskId());
        if (location.offset() + location.length() > t.contentLength) {
            throw new InvalidPieceException("chunk " + digest + " at " + location.offset() + "+" + location.length()
                    + " lies outside task " + t.taskId + " (" + t.contentLength + " bytes)");
        }
        ctx.db.putChunk(digest, location);
    }

    Optional<ChunkLocation> lookup(String digest) {
        ChunkLocation loc = ctx.db.getChunk(digest);
        if (loc == null) {
            return Optional.empty();
        }
        TaskState t = tasks.find(loc.taskId());
        if (t == null || loc.offset() + loc.length() > t.contentLength) {
            ctx.db.deleteChunk(digest);
            return Optional.empty();
        }
        if (loc.length() == 0) {
            return Optional.of(loc);
        }
        int first = PieceGeometry.pieceAt(loc.offset(), t.pieceLength);
        int last = PieceGeometry.pieceAt(loc.offset() + loc.length() - 1, t.pieceLength);
        for (int i = first; i <= last; i++) {
            if (t.piece(i) == null) {
                return Optional.empty();
            }
        }
        return Optional.of(loc);
    }

    /** The chunk's bytes, read piece by piece through the verified read path. */
    Optional<ByteBuffer> read(String digest) {
        Optional<ChunkLocation> found = lookup(digest);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ChunkLocation loc = found.get();
        TaskState t = tasks.require(loc.taskId());
        ByteBuffer out = ByteBuffer.allocate(loc.length());
        long pos = loc.offset();
        long end = loc.offset() + loc.length();
        try {
            while (pos < end) {
                int n = PieceGeometry.pieceAt(pos, t.pieceLength);
                ByteBuffer piece = reader.read(t, n, false);
                long pieceStart = t.offsetOf(n);
                int from = (int) (pos - pieceStart);
                int to = (int) Math.min(piece.limit(), end - pieceStart);
                piece.position(from).limit(to);
                out.put(piece);
                pos += to - from;
            }
        } catch (PieceNotFoundException e) {
            return Optional.empty();
        }
        return Optional.of(out.flip().asReadOnlyBuffer());
    }
}

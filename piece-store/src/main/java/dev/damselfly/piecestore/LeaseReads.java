package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * Reads on behalf of a {@link TaskLease}: bound to the task the lease pinned (not to its id), with the content
 * file held open by the lease, so they keep working after the task is deleted under the lease.
 */
final class LeaseReads {
    private final TaskState task;
    private final PieceReader reader;
    private final Runnable checkOpen;

    /** @param checkOpen throws {@link PieceStoreException} once the store is closed */
    LeaseReads(TaskState task, PieceReader reader, Runnable checkOpen) {
        this.task = task;
        this.reader = reader;
        this.checkOpen = checkOpen;
    }

    ByteBuffer read(int number) {
        checkOpen.run();
        return reader.read(task, number, true);
    }

    int read(int number, ByteBuffer dst) {
        checkOpen.run();
        return reader.read(task, number, dst, true);
    }

    PieceRegion region(int number) {
        checkOpen.run();
        return reader.region(task, number, true);
    }

    boolean hasPiece(int number) {
        return number >= 0 && number < task.pieceCount && task.piece(number) != null;
    }

    BitSet storedPieces() {
        return PieceStore.storedPiecesOf(task);
    }

    boolean deleted() {
        return task.deleted();
    }
}

package dev.damselfly.exchange;

import java.util.Collection;

/**
 * Client side of DfdaemonUpload.SyncPieces (spec §2.4): asks a parent which of the interested pieces it has,
 * and hears about each one as soon as the parent has it. Implemented over gRPC by the {@code upload} package.
 */
public interface PieceAvailability {

    /**
     * Opens a SyncPieces stream to {@code parent} for {@code taskId}. Listener methods run on a gRPC thread
     * and must not block. The stream ends with {@link Listener#onCompleted()} when the parent has sent every
     * interested piece and finished the task, or {@link Listener#onError(Throwable)} (task unknown there,
     * parent gone, timeout).
     *
     * @param childHostId this node's host id, sent as SyncPiecesRequest.host_id
     * @param interested piece numbers this node still needs
     */
    Subscription subscribe(ParentEndpoint parent, String taskId, String childHostId,
                           Collection<Integer> interested, Listener listener);

    /** Callbacks of one SyncPieces stream. */
    interface Listener {
        void onPiece(PieceAnnouncement piece);

        void onError(Throwable error);

        void onCompleted();
    }

    /** An open stream; closing cancels it. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}

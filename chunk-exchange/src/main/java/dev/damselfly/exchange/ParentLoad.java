package dev.damselfly.exchange;

import java.util.Optional;

/**
 * Client side of DfdaemonUpload.SyncHost (spec §2.4): how busy a parent host's upload link is, so the download
 * engine can send fewer pieces to a busy parent. A task {@link #track tracks} each of its parents for as long as
 * it may download from it and closes the {@link Lease} afterwards; an implementation may share one feed per parent
 * host between every task that tracks it. Implemented over gRPC by the {@code upload} package
 * ({@code SyncHostClient}); {@link #NONE} knows nothing (every parent then weighs the same).
 */
public interface ParentLoad {

    /** Tracks nothing: every lease reports unknown figures. */
    ParentLoad NONE = (parent, childHostId, childPeerId) -> Lease.UNKNOWN;

    /**
     * Starts (or joins) following {@code parent}'s host. Never blocks on the network and never fails because the
     * parent is unreachable: such a parent simply has unknown figures.
     *
     * @param childHostId this node's host id (SyncHostRequest.host_id)
     * @param childPeerId the tracking task's peer id on this node (SyncHostRequest.peer_id)
     */
    Lease track(ParentEndpoint parent, String childHostId, String childPeerId);

    /** One task's use of one parent host; closing it lets the feed stop when no task uses the host. */
    interface Lease extends AutoCloseable {
        /** A lease that never knows anything. */
        Lease UNKNOWN = new Lease() {
            @Override
            public Optional<ParentBandwidth> bandwidth() {
                return Optional.empty();
            }

            @Override
            public void close() {
            }
        };

        /** The latest figures if they are recent enough to trust, else empty. Cheap; callable from any thread. */
        Optional<ParentBandwidth> bandwidth();

        /** Stops using the host. Idempotent. */
        @Override
        void close();
    }
}

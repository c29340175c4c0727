package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.server.resource.HostRecord;

/** Asks a seed peer to download a task from the origin (spec §3.7, DfdaemonUpload.DownloadTask). */
public interface SeedPeerTrigger {

    /**
     * Starts the seed's download asynchronously.
     *
     * @param seed the chosen seed host
     * @param taskId the task id
     * @param download the child's Download with need_back_to_source=true and output_path cleared
     * @param onFailure run when the seed reports a failure
     */
    void trigger(HostRecord seed, String taskId, Download download, Runnable onFailure);

    /** Releases connections. */
    default void close() {
    }
}

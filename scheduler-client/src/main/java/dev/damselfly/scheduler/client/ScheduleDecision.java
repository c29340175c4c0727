package dev.damselfly.scheduler.client;

import dev.damselfly.scheduler.proto.common.v2.Peer;
import java.util.List;

/** What a download should do next, as answered by the scheduler (or decided by the client on failure). */
public sealed interface ScheduleDecision {

    /** Download from these candidate parents (NormalTaskResponse); never empty. */
    record Parents(List<Peer> candidates) implements ScheduleDecision {
        public Parents {
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * Download from the origin.
     *
     * @param reason the scheduler's description or the client's reason
     * @param fromScheduler true for a NeedBackToSourceResponse (report pieces as back-to-source); false when
     *        the client gave up on the scheduler (stream failure, max schedule count) and the session is
     *        detached: further reports are dropped
     */
    record BackToSource(String reason, boolean fromScheduler) implements ScheduleDecision {
    }

    /** The task has content length 0 (EmptyTaskResponse); the session is already finished. */
    record EmptyTask() implements ScheduleDecision {
    }

    /** The metadata-only registration was accepted (MetadataOnlyResponse); the session is finished. */
    record MetadataOnly() implements ScheduleDecision {
    }
}

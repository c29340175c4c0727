package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.proto.scheduler.v2.AnnouncePeerResponse;
import io.grpc.Status;

/** Where a peer's scheduling answers go (its AnnouncePeer response stream). Implementations are thread-safe. */
public interface Responder {
    void respond(AnnouncePeerResponse response);

    /** Ends the stream with an error status. */
    void fail(Status status);
}

package dev.damselfly.scheduler.server.resource;

/** Scheduler peer states (spec §1.12.5); {@link #wireName()} is the string sent in {@code Peer.state}. */
public enum PeerState {
    PENDING("Pending"), RECEIVED_EMPTY("ReceivedEmpty"), RECEIVED_TINY("ReceivedTiny"),
    RECEIVED_SMALL("ReceivedSmall"), RECEIVED_NORMAL("ReceivedNormal"), RUNNING("Running"),
    BACK_TO_SOURCE("BackToSource"), SUCCEEDED("Succeeded"), FAILED("Failed"), LEAVE("Leave");

    private final String wireName;

    PeerState(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** True when the peer can no longer change (Succeeded, Failed, Leave). */
    public boolean done() {
        return this == SUCCEEDED || this == FAILED || this == LEAVE;
    }
}

package dev.damselfly.scheduler.client;

/** A PeerSession call made in a state that does not allow it (for example a piece report before a decision). */
public final class IllegalSessionStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final String peerId;
    private final PeerSession.State state;

    public IllegalSessionStateException(String taskId, String peerId, PeerSession.State state, String action) {
        super("peer " + peerId + " of task " + taskId + " cannot " + action + " in state " + state);
        this.peerId = peerId;
        this.state = state;
    }

    public String peerId() {
        return peerId;
    }

    public PeerSession.State state() {
        return state;
    }
}

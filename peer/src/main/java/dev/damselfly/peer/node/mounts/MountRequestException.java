package dev.damselfly.peer.node.mounts;

/** A mount request the node refuses or cannot carry out, with the HTTP status to answer and a sentence saying why. */
public final class MountRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * @param status 400 bad request, 404 unknown, 409 busy, 415 not JSON, 422 not a Nydus image, 502 registry,
     *               500/503 the node cannot mount now
     */
    public MountRequestException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public MountRequestException(int status, String message) {
        this(status, message, null);
    }

    public int status() {
        return status;
    }
}

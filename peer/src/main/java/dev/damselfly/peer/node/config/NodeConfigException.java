package dev.damselfly.peer.node.config;

/** The node's configuration cannot be used: names the file (or override) and the key at fault. */
public final class NodeConfigException extends RuntimeException {
    public NodeConfigException(String message) {
        super(message);
    }

    public NodeConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

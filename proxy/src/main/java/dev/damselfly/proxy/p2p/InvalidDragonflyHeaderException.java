package dev.damselfly.proxy.p2p;

/** A Dragonfly request header ({@code X-Dragonfly-*}) with a value the proxy cannot accept; answered 400. */
public final class InvalidDragonflyHeaderException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String header;

    /**
     * @param header the header's name as in {@link DragonflyHeaders}
     * @param reason what is wrong and what is accepted (the value itself is quoted only when it is not secret)
     */
    public InvalidDragonflyHeaderException(String header, String reason) {
        super(header + ": " + reason);
        this.header = header;
    }

    /** The offending header's name. */
    public String header() {
        return header;
    }
}

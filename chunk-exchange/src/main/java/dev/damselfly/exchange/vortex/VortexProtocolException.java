package dev.damselfly.exchange.vortex;

/** Bytes that do not follow the Vortex packet layout (bad tag, impossible lengths, bad task id). */
public final class VortexProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VortexProtocolException(String message) {
        super(message);
    }
}

package dev.damselfly.exchange.vortex;

/** Codes of a Vortex {@code Error} packet (tag 255), as the u8 on the wire. */
public enum VortexErrorCode {
    /** 0: anything else (also what an unknown code on the wire is read as). */
    UNKNOWN(0),
    /** 1: the request was malformed (bad tag, length, task id or piece number). */
    INVALID_ARGUMENT(1),
    /** 2: the task or the piece is not in the parent's storage. */
    NOT_FOUND(2),
    /** 3: the parent failed while serving (I/O error, overloaded, shutting down). */
    INTERNAL(3);

    private final int wire;

    VortexErrorCode(int wire) {
        this.wire = wire;
    }

    /** The code byte on the wire. */
    public int wire() {
        return wire;
    }

    /** The code for a wire byte; unknown values map to {@link #UNKNOWN}. */
    public static VortexErrorCode fromWire(int code) {
        for (VortexErrorCode c : values()) {
            if (c.wire == code) {
                return c;
            }
        }
        return UNKNOWN;
    }
}

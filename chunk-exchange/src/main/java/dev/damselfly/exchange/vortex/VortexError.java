package dev.damselfly.exchange.vortex;

import java.util.Objects;

/**
 * A Vortex {@code Error} packet (tag 255).
 *
 * @param code     the error code (an unknown wire value is {@link VortexErrorCode#UNKNOWN}, see {@code wireCode})
 * @param wireCode the code byte as sent, 0–255
 * @param message  the UTF-8 message
 */
public record VortexError(VortexErrorCode code, int wireCode, String message) {
    public VortexError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }

    public VortexError(VortexErrorCode code, String message) {
        this(code, code.wire(), message);
    }
}

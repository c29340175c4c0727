package dev.damselfly.e2e.cluster;

/** A lab operation failed: a command exited non-zero, a host did not come up, or the machine lacks a tool. */
final class LabException extends RuntimeException {
    LabException(String message) {
        super(message);
    }

    LabException(String message, Throwable cause) {
        super(message, cause);
    }
}

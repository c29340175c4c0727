package dev.damselfly.oci;

import java.io.IOException;

/**
 * A registry request that failed. Names what was asked for (a reference, a blob, an upload) and the
 * HTTP status when there was one (0 when the failure happened before a response, e.g. a reset).
 * Subclasses say why; callers can catch this type for "any registry failure".
 */
public class RegistryException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String subject;
    private final int status;

    public RegistryException(String subject, int status, String message, Throwable cause) {
        super(subject + ": " + message + (status > 0 ? " (HTTP " + status + ")" : ""), cause);
        this.subject = subject;
        this.status = status;
    }

    /** What the request was about, e.g. {@code 127.0.0.1:5000/app@sha256:...}. */
    public String subject() {
        return subject;
    }

    /** The HTTP status, or 0 if no response was received. */
    public int status() {
        return status;
    }

    /** 401: no or wrong credentials, or the token flow failed. */
    public static final class UnauthorizedException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public UnauthorizedException(String subject, String message) {
            super(subject, 401, message, null);
        }
    }

    /** 403: the credentials are valid but may not do this. */
    public static final class ForbiddenException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public ForbiddenException(String subject, String message) {
            super(subject, 403, message, null);
        }
    }

    /** 404: manifest, blob, repository or upload unknown. */
    public static final class NotFoundException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public NotFoundException(String subject, String message) {
            super(subject, 404, message, null);
        }
    }

    /** 416: the requested byte range lies outside the blob. */
    public static final class RangeNotSatisfiableException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public RangeNotSatisfiableException(String subject, String range, String contentRange) {
            super(subject, 416, "range " + range + " not satisfiable"
                    + (contentRange == null ? "" : " (registry says " + contentRange + ")"), null);
        }
    }

    /** 429: rate limited; {@link #retryAfterSeconds()} is the registry's Retry-After, or -1 if none. */
    public static final class TooManyRequestsException extends RegistryException {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;

        public TooManyRequestsException(String subject, long retryAfterSeconds, String message) {
            super(subject, 429, message + (retryAfterSeconds >= 0 ? "; retry after " + retryAfterSeconds + " s" : ""), null);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        /** Seconds the registry asked us to wait (Retry-After), or -1 when it gave none. */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** 5xx, or connection failures, still failing after the configured retries. */
    public static final class ServerException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public ServerException(String subject, int status, String message, Throwable cause) {
            super(subject, status, message, cause);
        }
    }

    /** Any other status the protocol does not allow at this point. */
    public static final class UnexpectedResponseException extends RegistryException {
        private static final long serialVersionUID = 1L;

        public UnexpectedResponseException(String subject, int status, String message) {
            super(subject, status, message, null);
        }
    }
}

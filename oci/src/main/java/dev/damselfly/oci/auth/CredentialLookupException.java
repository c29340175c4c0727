package dev.damselfly.oci.auth;

/** A credential source that is configured but failed (unreadable config.json, failing helper). */
public final class CredentialLookupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CredentialLookupException(String registry, String message, Throwable cause) {
        super("credentials for " + registry + ": " + message, cause);
    }
}

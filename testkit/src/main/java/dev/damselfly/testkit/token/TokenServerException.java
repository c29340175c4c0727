package dev.damselfly.testkit.token;

/** The token server could not be started or could not sign a token. */
public final class TokenServerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, with context
     * @param cause   the underlying error
     */
    public TokenServerException(String message, Throwable cause) {
        super(message, cause);
    }
}

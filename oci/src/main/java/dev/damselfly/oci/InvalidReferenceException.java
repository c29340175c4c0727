package dev.damselfly.oci;

/** An image reference or digest string that does not follow the distribution grammar. */
public final class InvalidReferenceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String input;

    public InvalidReferenceException(String input, String reason) {
        super("invalid image reference '" + input + "': " + reason);
        this.input = input;
    }

    /** The text that failed to parse, exactly as given. */
    public String input() {
        return input;
    }
}

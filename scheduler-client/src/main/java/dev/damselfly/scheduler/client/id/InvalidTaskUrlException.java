package dev.damselfly.scheduler.client.id;

/** A URL that cannot be normalised for a task id; carries the offending URL and the reason. */
public final class InvalidTaskUrlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String url;

    public InvalidTaskUrlException(String url, String reason) {
        super("cannot compute a task id for URL '" + url + "': " + reason);
        this.url = url;
    }

    public String url() {
        return url;
    }
}

package dev.damselfly.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** A response whose body has not been read yet. Close it to release the connection. */
final class RegistryResponse implements AutoCloseable {
    /** Error bodies are read up to this many bytes: 64 KiB. */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final URI uri;

    RegistryResponse(int status, HttpHeaders headers, InputStream body, URI uri) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.uri = uri;
    }

    int status() {
        return status;
    }

    Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** Content-Length, or -1. */
    long contentLength() {
        return headers.firstValueAsLong("Content-Length").orElse(-1);
    }

    InputStream body() {
        return body;
    }

    /** The URL that answered (after redirects). */
    URI uri() {
        return uri;
    }

    /** Reads at most {@link #MAX_ERROR_BODY_BYTES} of the body as text, for error messages. */
    String errorText() {
        try {
            return new String(body.readNBytes(MAX_ERROR_BODY_BYTES), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // Closing a response stream only releases the connection; nothing to report.
        }
    }
}

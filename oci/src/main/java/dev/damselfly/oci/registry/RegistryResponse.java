package dev.damselfly.oci.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * A response whose body has not been read yet. Closing it (or its body stream) releases the
 * connection: back to the pool when the body was read to the end, discarded otherwise — a caller
 * that stops early never drains the rest of a large blob.
 */
final class RegistryResponse implements AutoCloseable {
    /** Error bodies are read up to this many bytes: 64 KiB. */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final ClassicHttpResponse response;
    private final URI uri;
    private final InputStream body;

    RegistryResponse(ClassicHttpResponse response, URI uri) throws IOException {
        this.response = response;
        this.uri = uri;
        HttpEntity entity = response.getEntity();
        InputStream content = entity == null ? InputStream.nullInputStream() : entity.getContent();
        this.body = new FilterInputStream(content) {
            @Override
            public void close() {
                RegistryResponse.this.close();
            }
        };
    }

    int status() {
        return response.getCode();
    }

    Optional<String> header(String name) {
        Header header = response.getFirstHeader(name);
        return header == null ? Optional.empty() : Optional.of(header.getValue());
    }

    /** Content-Length, or -1. */
    long contentLength() {
        HttpEntity entity = response.getEntity();
        if (entity != null) {
            return entity.getContentLength();
        }
        return header("Content-Length").map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
    }

    /** The body; closing it closes this response. */
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
            response.close();
        } catch (IOException ignored) {
            // Closing only releases or discards the connection; nothing to report.
        }
    }
}

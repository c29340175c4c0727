package dev.damselfly.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/** The body of a request, and whether it can be sent again (retries, auth challenges). */
interface RequestBody {

    /** A publisher for one attempt; called once per attempt. */
    HttpRequest.BodyPublisher publisher() throws IOException;

    /** True when {@link #publisher()} can be called more than once. */
    boolean replayable();

    static RequestBody ofBytes(byte[] bytes) {
        return new RequestBody() {
            @Override
            public HttpRequest.BodyPublisher publisher() {
                return HttpRequest.BodyPublishers.ofByteArray(bytes);
            }

            @Override
            public boolean replayable() {
                return true;
            }
        };
    }

    static RequestBody ofFile(Path file) {
        return new RequestBody() {
            @Override
            public HttpRequest.BodyPublisher publisher() throws IOException {
                return HttpRequest.BodyPublishers.ofFile(file);
            }

            @Override
            public boolean replayable() {
                return true;
            }
        };
    }

    /** Exactly {@code length} bytes read from a stream that can be consumed only once. */
    static RequestBody ofStream(InputStream in, long length) {
        return new RequestBody() {
            private boolean used;

            @Override
            public HttpRequest.BodyPublisher publisher() throws IOException {
                if (used) {
                    throw new IOException("a streamed request body cannot be sent twice");
                }
                used = true;
                return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> in), length);
            }

            @Override
            public boolean replayable() {
                return false;
            }
        };
    }
}

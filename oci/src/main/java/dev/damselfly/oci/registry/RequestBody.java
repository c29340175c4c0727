package dev.damselfly.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;

/** The body of a request, and whether it can be sent again (retries, auth challenges). */
interface RequestBody {

    /** The entity for one attempt; called once per attempt. Content-Type travels as a header of the call. */
    HttpEntity entity() throws IOException;

    /** True when {@link #entity()} can be called more than once. */
    boolean replayable();

    static RequestBody ofBytes(byte[] bytes) {
        return new RequestBody() {
            @Override
            public HttpEntity entity() {
                return new ByteArrayEntity(bytes, null);
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
            public HttpEntity entity() throws IOException {
                if (used) {
                    throw new IOException("a streamed request body cannot be sent twice");
                }
                used = true;
                return new InputStreamEntity(in, length, null);
            }

            @Override
            public boolean replayable() {
                return false;
            }
        };
    }
}

package dev.damselfly.oci.auth;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/** The one HTTP exchange the token flow needs; the registry client supplies it over its own connections. */
@FunctionalInterface
public interface TokenHttp {
    /**
     * Sends a GET (when {@code formBody} is null) or a form POST and reads the whole (small) answer.
     */
    Answer send(URI uri, Map<String, String> headers, byte[] formBody) throws IOException;

    /** Status code and body bytes. */
    record Answer(int status, byte[] body) {
    }
}

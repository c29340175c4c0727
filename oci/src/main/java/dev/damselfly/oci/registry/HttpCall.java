package dev.damselfly.oci.registry;

import dev.damselfly.oci.auth.Scope;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One registry request: method, URL, headers, optional body, the registry and token scope it needs,
 * and the subject named in errors and logs.
 */
record HttpCall(String method, URI uri, Map<String, String> headers, RequestBody body,
                String registry, Scope scope, String subject) {

    HttpCall {
        headers = Map.copyOf(headers);
    }

    static HttpCall of(String method, URI uri, String registry, Scope scope, String subject) {
        return new HttpCall(method, uri, Map.of(), null, registry, scope, subject);
    }

    HttpCall header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpCall(method, uri, more, body, registry, scope, subject);
    }

    HttpCall body(RequestBody newBody) {
        return new HttpCall(method, uri, headers, newBody, registry, scope, subject);
    }

    /** Whether a failed attempt may be sent again: bodyless or replayable bodies only. */
    boolean retryable() {
        return body == null || body.replayable();
    }
}

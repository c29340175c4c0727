package dev.damselfly.proxy;

import java.net.URI;

/** A URL for log lines: scheme, authority and path; the query (which may hold signatures) elided. */
final class RedactedUri {
    private RedactedUri() {
    }

    static String of(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?…");
    }
}

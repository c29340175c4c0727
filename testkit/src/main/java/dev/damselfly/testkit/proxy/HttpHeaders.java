package dev.damselfly.testkit.proxy;

import java.util.Locale;
import java.util.Set;

/** Header names a proxy must not copy from one connection to the next. */
final class HttpHeaders {

    /** Hop-by-hop headers (RFC 9110 7.6.1) plus those java.net.http sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of(
            "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "host", "content-length", "expect", "date");

    private HttpHeaders() {
    }

    static boolean forwardable(String name) {
        return !NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT));
    }
}

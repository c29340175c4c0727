package dev.damselfly.proxy;

import java.util.Locale;
import java.util.Set;

/** Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1), plus Host. */
final class HopByHopHeaders {
    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length");

    private HopByHopHeaders() {
    }

    /** True when {@code name} must not be copied to the next hop (Content-Length is set by each side itself). */
    static boolean isHopByHop(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }
}

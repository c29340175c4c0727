package dev.damselfly.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Keeps pushes through the mirror on the mirror: the registry answers an upload's {@code POST} (202), each
 * {@code PATCH} (202) and the final {@code PUT} (201) with a {@code Location} that is usually absolute and names the
 * registry itself ({@code http://registry:5000/v2/app/blobs/uploads/UUID?_state=…}); a client that follows it would
 * leave the mirror, and an upstream that is reachable only through the node would be lost. In mirror mode such a
 * {@code Location} (absolute and on the upstream's scheme, host and port, or already a path) becomes the same path and
 * query relative to the proxy, with {@code ns=REGISTRY} added when missing, so the next request resolves to the same
 * registry. Locations elsewhere (a blob store's signed redirect) are left alone, as is every forward-proxy answer.
 */
final class LocationRewriter {
    private LocationRewriter() {
    }

    /** Rewrites the {@code Location} of a response to a mirror request, in place. */
    static void apply(HttpHeaders headers, UpstreamTarget target) {
        if (!target.mirror()) {
            return;
        }
        String location = headers.get(HttpHeaderNames.LOCATION);
        if (location == null) {
            return;
        }
        String rewritten = rewrite(location, target.registry());
        if (rewritten != null) {
            headers.set(HttpHeaderNames.LOCATION, rewritten);
        }
    }

    /** The proxy-relative form of {@code location}, or null when it stays as it is. */
    static String rewrite(String location, RegistryUpstream registry) {
        URI uri;
        try {
            uri = new URI(location.trim());
        } catch (URISyntaxException e) {
            return null;
        }
        if (uri.isAbsolute()) {
            if (uri.getHost() == null || !sameOrigin(uri, registry.upstream())) {
                return null;
            }
        } else if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/") || uri.getRawAuthority() != null) {
            return null;
        }
        String query = uri.getRawQuery();
        // Registry names are host[:port]: safe in a query as written (as containerd sends them), but for IPv6 brackets.
        String ns = "ns=" + registry.name().replace("[", "%5B").replace("]", "%5D");
        if (query == null || query.isEmpty()) {
            query = ns;
        } else if (!hasNs(query)) {
            query = query + "&" + ns;
        }
        return uri.getRawPath() + "?" + query;
    }

    private static boolean hasNs(String query) {
        for (String pair : query.split("&")) {
            if (pair.startsWith("ns=")) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameOrigin(URI location, URI upstream) {
        String scheme = location.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals(upstream.getScheme())
                && location.getHost().equalsIgnoreCase(upstream.getHost())
                && port(location.getPort(), scheme) == port(upstream.getPort(), upstream.getScheme());
    }

    private static int port(int port, String scheme) {
        return port >= 0 ? port : "https".equals(scheme) ? 443 : 80;
    }
}

package dev.damselfly.proxy;

import java.net.URI;
import java.util.Locale;

/**
 * A registry the proxy may reach.
 *
 * @param name     the registry as clients name it: containerd's {@code ns=} value and the host of image
 *                 references ({@code docker.io}, {@code ghcr.io}, {@code 127.0.0.1:5000})
 * @param upstream where its API is served, scheme and authority only ({@code https://registry-1.docker.io})
 */
public record RegistryUpstream(String name, URI upstream) {

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");

    public RegistryUpstream {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("registry name must be HOST[:PORT] as in image references, got '" + name + "'");
        }
        if (upstream == null || upstream.getHost() == null
                || !("http".equals(upstream.getScheme()) || "https".equals(upstream.getScheme()))) {
            throw new IllegalArgumentException("registry '" + name + "' needs an http(s)://host[:port] upstream, got " + upstream);
        }
        name = name.toLowerCase(Locale.ROOT);
    }

    /** {@code name} → {@code https://name}, except Docker Hub → {@code https://registry-1.docker.io}. */
    public static RegistryUpstream of(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        String host = lower.equals("docker.io") || lower.equals("index.docker.io") ? "registry-1.docker.io" : lower;
        return new RegistryUpstream(lower.equals("index.docker.io") ? "docker.io" : lower, URI.create("https://" + host));
    }

    /** {@code host:port} of the upstream with the scheme's default port filled in. */
    public String authority() {
        int port = upstream.getPort() >= 0 ? upstream.getPort() : "https".equals(upstream.getScheme()) ? 443 : 80;
        return upstream.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}

package dev.damselfly.proxy;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides where a request goes, and refuses (403) anything that is not one of the configured
 * registries: the one rule that keeps the node from being an open proxy.
 * <ul>
 *   <li>origin-form ({@code GET /v2/...}): a mirror request; the registry is named by the
 *       {@code X-Dragonfly-Registry} header (a URL or a host), else containerd's {@code ns=} parameter,
 *       else the default mirror;</li>
 *   <li>absolute-form ({@code GET http://host/v2/...}): a forward-proxy request to that host, which must be
 *       a configured registry's name or upstream; an {@code http://} request to a registry configured as
 *       {@code https://} is upgraded (nydusd's {@code use_http});</li>
 *   <li>{@code CONNECT host:port}: must be a configured upstream's authority;</li>
 *   <li>inside an intercepted {@code CONNECT} tunnel: the tunnel's registry ({@link #resolveIntercepted}).</li>
 * </ul>
 */
public final class UpstreamResolver {
    /** Header naming the upstream registry in mirror mode (Dragonfly's). */
    public static final String REGISTRY_HEADER = "X-Dragonfly-Registry";

    private final ProxyConfig config;

    public UpstreamResolver(ProxyConfig config) {
        this.config = config;
    }

    /**
     * @param requestTarget  the request line's target as sent
     * @param registryHeader the {@value #REGISTRY_HEADER} header, or null
     */
    public UpstreamTarget resolve(String requestTarget, String registryHeader) throws ProxyException {
        if (requestTarget.startsWith("/")) {
            return resolveMirror(requestTarget, registryHeader);
        }
        URI absolute = parse(requestTarget);
        if (absolute.getScheme() == null || absolute.getHost() == null) {
            throw new ProxyException(400, "request target is neither a path nor an absolute http(s) URL");
        }
        RegistryUpstream registry = byHost(absolute.getHost(), absolute.getPort(), absolute.getScheme())
                .orElseThrow(() -> new ProxyException(403, "registry " + hostPort(absolute) + " is not allowed by this proxy"));
        String pathAndQuery = absolute.getRawPath() + (absolute.getRawQuery() == null ? "" : "?" + absolute.getRawQuery());
        return new UpstreamTarget(registry, registry.upstream().resolve(pathAndQuery.isEmpty() ? "/" : pathAndQuery), false);
    }

    /** The registry a {@code CONNECT host:port} may reach. */
    public RegistryUpstream resolveConnect(String authority) throws ProxyException {
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || colon == authority.length() - 1) {
            throw new ProxyException(400, "CONNECT needs host:port, got '" + authority + "'");
        }
        String host = authority.substring(0, colon).toLowerCase(Locale.ROOT);
        int port;
        try {
            port = Integer.parseInt(authority.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ProxyException(400, "CONNECT port is not a number: '" + authority + "'");
        }
        String wanted = host + ":" + port;
        return config.registries().stream().filter(r -> r.authority().equals(wanted)).findFirst()
                .orElseThrow(() -> new ProxyException(403, "CONNECT to " + wanted + " is not allowed by this proxy"));
    }

    /**
     * A request inside an intercepted {@code CONNECT} tunnel to {@code registry}: a forward-proxy request to that
     * registry. Origin-form targets are what clients send inside a tunnel; an absolute-form one must name the same
     * registry. {@value #REGISTRY_HEADER} and {@code ns=} play no part: the tunnel names the origin.
     */
    public UpstreamTarget resolveIntercepted(RegistryUpstream registry, String requestTarget) throws ProxyException {
        if (requestTarget.startsWith("/")) {
            parse(requestTarget);
            return new UpstreamTarget(registry, registry.upstream().resolve(requestTarget), false);
        }
        UpstreamTarget target = resolve(requestTarget, null);
        if (!target.registry().equals(registry)) {
            throw new ProxyException(403, "request inside the tunnel to " + registry.name() + " names another registry");
        }
        return target;
    }

    private UpstreamTarget resolveMirror(String path, String registryHeader) throws ProxyException {
        URI relative = parse(path);
        String named = registryHeader != null && !registryHeader.isBlank() ? registryHeader.trim() : nsParameter(relative).orElse(null);
        RegistryUpstream registry;
        if (named != null) {
            registry = byName(named).orElseThrow(() -> new ProxyException(403, "registry " + named + " is not allowed by this proxy"));
        } else {
            String fallback = config.defaultMirror().orElseThrow(() ->
                    new ProxyException(403, "no registry named (ns= or " + REGISTRY_HEADER + ") and no default mirror configured"));
            registry = byName(fallback).orElseThrow();
        }
        return new UpstreamTarget(registry, registry.upstream().resolve(path), true);
    }

    /** A registry by name, upstream URL or host[:port] as written in {@code ns=} or the header. */
    private Optional<RegistryUpstream> byName(String named) {
        String lower = named.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI uri = parse(lower, null);
            if (uri == null || uri.getHost() == null) {
                return Optional.empty();
            }
            return byHost(uri.getHost(), uri.getPort(), uri.getScheme());
        }
        String name = canonicalName(lower);
        return config.registries().stream().filter(r -> r.name().equals(name)).findFirst()
                .or(() -> config.registries().stream().filter(r -> r.authority().equals(withDefaultPort(name))).findFirst());
    }

    private Optional<RegistryUpstream> byHost(String host, int port, String scheme) {
        String lowerHost = host.toLowerCase(Locale.ROOT);
        String withPort = lowerHost + ":" + (port >= 0 ? port : "https".equals(scheme) ? 443 : 80);
        String asNamed = port >= 0 ? lowerHost + ":" + port : canonicalName(lowerHost);
        return config.registries().stream()
                .filter(r -> r.authority().equals(withPort) || r.name().equals(asNamed)
                        // an http:// request to an https registry on its default port (nydusd use_http)
                        || (port < 0 && "http".equals(scheme) && r.authority().equals(lowerHost + ":443")))
                .findFirst();
    }

    /** Docker Hub's host names all mean the registry named {@code docker.io}. */
    private static String canonicalName(String host) {
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? "docker.io" : host;
    }

    private static String withDefaultPort(String hostOrHostPort) {
        return hostOrHostPort.matches(".*:\\d+$") ? hostOrHostPort : hostOrHostPort + ":443";
    }

    private static Optional<String> nsParameter(URI relative) {
        String query = relative.getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("ns=")) {
                return Optional.of(URLDecoder.decode(pair.substring(3), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static URI parse(String target) throws ProxyException {
        URI uri = parse(target, null);
        if (uri == null) {
            throw new ProxyException(400, "malformed request target");
        }
        return uri;
    }

    private static URI parse(String target, URI fallback) {
        try {
            return new URI(target);
        } catch (URISyntaxException e) {
            return fallback;
        }
    }

    private static String hostPort(URI uri) {
        return uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }
}

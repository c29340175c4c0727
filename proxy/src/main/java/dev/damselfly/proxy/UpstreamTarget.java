package dev.damselfly.proxy;

import java.net.URI;

/**
 * Where one request goes: the registry it belongs to and the full upstream URL.
 *
 * @param registry the configured registry
 * @param uri      scheme, authority, path and query to request upstream
 * @param mirror   true for a mirror (origin-form) request, false for a forward-proxy one
 */
public record UpstreamTarget(RegistryUpstream registry, URI uri, boolean mirror) {
}

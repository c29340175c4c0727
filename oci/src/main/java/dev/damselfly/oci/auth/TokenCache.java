package dev.damselfly.oci.auth;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Bearer tokens per (registry, scope), each kept until its expiry. Thread-safe. */
public final class TokenCache {
    private final Map<String, BearerToken> tokens = new ConcurrentHashMap<>();
    private final Clock clock;

    public TokenCache(Clock clock) {
        this.clock = clock;
    }

    /** A token for exactly this registry and scope that has not expired. */
    public Optional<BearerToken> get(String registry, Scope scope) {
        BearerToken token = tokens.get(key(registry, scope));
        if (token == null || token.isExpiredAt(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(token);
    }

    public void put(String registry, Scope scope, BearerToken token) {
        tokens.put(key(registry, scope), token);
    }

    /** Forgets the token, e.g. after the registry refused it. */
    public void invalidate(String registry, Scope scope) {
        tokens.remove(key(registry, scope));
    }

    private static String key(String registry, Scope scope) {
        return registry + "|" + scope;
    }
}

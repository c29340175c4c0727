package dev.damselfly.oci.auth;

import dev.damselfly.oci.RegistryException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the {@code Authorization} header for a request and reacts to 401 challenges: remembers
 * each registry's challenge, fetches and caches bearer tokens per scope (refreshing them before they
 * expire), or uses Basic credentials when the registry asks for Basic. Thread-safe.
 */
public final class RegistryAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryAuthenticator.class);

    private final CredentialProvider credentials;
    private final BearerTokenFetcher fetcher;
    private final TokenCache tokens;
    private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();
    /** Credentials looked up once per registry: a credential helper is a process, not something to run per request. */
    private final Map<String, Optional<Credentials>> known = new ConcurrentHashMap<>();

    public RegistryAuthenticator(CredentialProvider credentials, BearerTokenFetcher fetcher, TokenCache tokens) {
        this.credentials = credentials;
        this.fetcher = fetcher;
        this.tokens = tokens;
    }

    /**
     * The header to send with a request for {@code scope} on {@code registry}, or empty when the
     * registry has not asked for authentication yet. For bearer registries an expired token is
     * replaced before the request, so requests with bodies that cannot be resent still succeed.
     */
    public Optional<String> authorization(String registry, Scope scope) throws RegistryException {
        AuthChallenge challenge = challenges.get(registry);
        if (challenge == null) {
            return Optional.empty();
        }
        if (challenge.isBasic()) {
            return credentialsFor(registry).map(Credentials::basicAuthorization);
        }
        Optional<BearerToken> cached = tokens.get(registry, scope);
        if (cached.isPresent()) {
            return Optional.of(cached.get().authorization());
        }
        return Optional.of(fetchAndCache(registry, challenge, scope, scope).authorization());
    }

    /**
     * Handles a 401: records the challenge and prepares new authorization for {@code scope}.
     *
     * @return true when the request is worth sending once more
     */
    public boolean onUnauthorized(String registry, Scope scope, String wwwAuthenticate) throws RegistryException {
        Optional<AuthChallenge> parsed = AuthChallenge.parse(wwwAuthenticate);
        if (parsed.isEmpty()) {
            return false;
        }
        AuthChallenge challenge = parsed.get();
        challenges.put(registry, challenge);
        tokens.invalidate(registry, scope);
        if (challenge.isBasic()) {
            return credentialsFor(registry).isPresent();
        }
        if (challenge.isBearer()) {
            // The challenge's own scope belongs to this request only; ask for it now, cache under ours.
            Scope wanted = challenge.scope().map(s -> scope.plus(s.split(" "))).orElse(scope);
            fetchAndCache(registry, challenge, scope, wanted);
            return true;
        }
        LOG.warn("registry {} asks for unsupported auth scheme {}", registry, challenge.scheme());
        return false;
    }

    private Optional<Credentials> credentialsFor(String registry) {
        return known.computeIfAbsent(registry, credentials::forRegistry);
    }

    private BearerToken fetchAndCache(String registry, AuthChallenge challenge, Scope scope, Scope wanted)
            throws RegistryException {
        BearerToken token = fetcher.fetch(registry, challenge, wanted, credentialsFor(registry));
        tokens.put(registry, scope, token);
        LOG.debug("token for {} scope '{}' until {}", registry, wanted, token.expiresAt());
        return token;
    }
}

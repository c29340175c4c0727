package dev.damselfly.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Recent answers of the origin to "may this client read this blob?", so that a burst of GETs (nydusd's
 * range reads, a retry) costs one origin {@code HEAD}. Keyed by the SHA-256 of the client's
 * {@code Authorization} header (the credential itself is never stored), the registry, the repository and
 * the blob digest. The digest is part of the key on purpose: a registry answers 404 for a blob that exists
 * but is not linked into the asked repository, so an answer for one blob says nothing about another
 * (keying by repository alone would let a client read any cached blob by naming it under a repository it
 * may read).
 */
final class AuthorizationCache {
    /** Most entries kept: 100 000 (about 20 MB at worst); the oldest go first. */
    static final long MAX_ENTRIES = 100_000;
    /** The credential key of a request without {@code Authorization}. */
    static final String ANONYMOUS = "anonymous";

    /** The origin's verdict. */
    enum Decision {
        /** 2xx or 3xx: the registry serves this blob to this client. */
        ALLOWED,
        /** 401, 403 or 404: it does not; the GET passes through so the client sees the registry's own answer. */
        REFUSED
    }

    /** Equals and hashCode written out: a record's are linked through method handles on a node's first P2P GET. */
    record Key(String credentialHash, String registry, String repository, String digest) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.credentialHash.equals(credentialHash) && k.registry.equals(registry)
                    && k.repository.equals(repository) && k.digest.equals(digest);
        }

        @Override
        public int hashCode() {
            return Objects.hash(credentialHash, registry, repository, digest);
        }
    }

    private final Cache<Key, Decision> decisions;

    /** @param ttl how long an answer is trusted; zero disables the cache (every P2P GET asks the origin) */
    AuthorizationCache(Duration ttl) {
        this.decisions = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(ttl.isZero() ? 0 : MAX_ENTRIES).build();
    }

    Optional<Decision> get(Key key) {
        return Optional.ofNullable(decisions.getIfPresent(key));
    }

    void put(Key key, Decision decision) {
        decisions.put(key, decision);
    }

    /** Lowercase hex SHA-256 of the header value, or {@value #ANONYMOUS} when there is none. */
    static String credentialHash(String authorization) {
        if (authorization == null || authorization.isEmpty()) {
            return ANONYMOUS;
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(authorization.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}

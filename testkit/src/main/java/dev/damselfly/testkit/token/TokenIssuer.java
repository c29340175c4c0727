package dev.damselfly.testkit.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mints tokens: computes granted access from the {@link TokenPolicy}, fills the claims, signs, and
 * counts. Thread-safe; the time knobs may change while clients are requesting tokens.
 */
final class TokenIssuer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenPolicy policy;
    private final JwtSigner signer;
    private final String issuer;
    private final String service;
    private volatile Duration lifetime;
    private volatile Duration clockOffset = Duration.ZERO;
    private volatile boolean issueExpired;

    private final AtomicLong issuedTotal = new AtomicLong();
    private final Map<String, AtomicLong> issuedPerScope = new ConcurrentHashMap<>();
    private final List<IssuedToken> issued = new CopyOnWriteArrayList<>();
    private volatile List<String> lastScopes = List.of();

    TokenIssuer(TokenPolicy policy, JwtSigner signer, String issuer, String service, Duration lifetime) {
        this.policy = policy;
        this.signer = signer;
        this.issuer = issuer;
        this.service = service;
        this.lifetime = lifetime;
    }

    IssuedToken issue(String subject, List<String> rawScopes) {
        List<TokenScope> scopes = new ArrayList<>();
        for (String raw : rawScopes) {
            scopes.add(TokenScope.parse(raw));
        }
        Duration life = lifetime;
        Instant realNow = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant iat;
        Instant exp;
        if (issueExpired) {
            exp = realNow.minus(TokenServer.DISTRIBUTION_LEEWAY).minus(TokenServer.EXPIRED_MARGIN);
            iat = exp.minus(life);
        } else {
            iat = realNow.plus(clockOffset);
            exp = iat.plus(life);
        }
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", issuer)
                .put("sub", subject)
                .put("aud", service)
                .put("exp", exp.getEpochSecond())
                .put("nbf", iat.getEpochSecond())
                .put("iat", iat.getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        Map<String, Set<String>> granted = new LinkedHashMap<>();
        for (TokenScope scope : scopes) {
            Set<String> actions = policy.allowedActions(subject, scope);
            ObjectNode entry = access.addObject().put("type", scope.type()).put("name", scope.name());
            ArrayNode list = entry.putArray("actions");
            actions.forEach(list::add);
            granted.merge(scope.type() + ":" + scope.name(), actions, (a, b) -> {
                Set<String> union = new java.util.TreeSet<>(a);
                union.addAll(b);
                return union;
            });
        }
        String jwt = signer.sign(claims);
        long expiresIn = Math.max(1, life.toSeconds());
        IssuedToken token = new IssuedToken(subject, List.copyOf(rawScopes), Map.copyOf(granted), iat, exp, expiresIn, jwt);
        issuedTotal.incrementAndGet();
        for (TokenScope scope : scopes) {
            issuedPerScope.computeIfAbsent(scope.canonical(), k -> new AtomicLong()).incrementAndGet();
        }
        issued.add(token);
        lastScopes = List.copyOf(rawScopes);
        return token;
    }

    void lifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("token lifetime must be positive, was " + lifetime);
        }
        this.lifetime = lifetime;
    }

    Duration lifetime() {
        return lifetime;
    }

    void clockOffset(Duration offset) {
        this.clockOffset = offset;
    }

    void issueExpired(boolean expired) {
        this.issueExpired = expired;
    }

    long issuedTotal() {
        return issuedTotal.get();
    }

    long issuedFor(String scope) {
        AtomicLong n = issuedPerScope.get(TokenScope.canonical(scope));
        return n == null ? 0 : n.get();
    }

    List<String> lastScopes() {
        return lastScopes;
    }

    List<IssuedToken> issued() {
        return List.copyOf(issued);
    }

    void reset() {
        issuedTotal.set(0);
        issuedPerScope.clear();
        issued.clear();
        lastScopes = List.of();
    }
}

package dev.damselfly.testkit.token;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One token the server handed out, for assertions.
 *
 * @param subject         user name, or {@link TokenServer#ANONYMOUS} ({@code ""})
 * @param requestedScopes scopes exactly as the client sent them
 * @param granted         canonical scope name ({@code TYPE:NAME}) to the actions put in the token
 * @param issuedAt        the {@code iat} claim written into the token
 * @param expiresAt       the {@code exp} claim written into the token
 * @param expiresInSeconds the {@code expires_in} the client was told
 * @param jwt             the token itself
 */
public record IssuedToken(
        String subject,
        List<String> requestedScopes,
        Map<String, Set<String>> granted,
        Instant issuedAt,
        Instant expiresAt,
        long expiresInSeconds,
        String jwt) {
}

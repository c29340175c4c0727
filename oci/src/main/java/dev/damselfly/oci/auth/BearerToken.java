package dev.damselfly.oci.auth;

import java.time.Duration;
import java.time.Instant;

/**
 * A registry bearer token and the instant it stops being used. {@link #toString()} hides the token.
 */
public record BearerToken(String token, Instant expiresAt) {
    /** Refresh this long before the announced expiry, to cover clock skew and request time: 5 s. */
    public static final Duration EXPIRY_MARGIN = Duration.ofSeconds(5);
    /** Lifetime assumed when the token server sends no {@code expires_in}: 60 s (Docker's rule). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    /** True once {@code now} is within {@link #EXPIRY_MARGIN} of the expiry. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt.minus(EXPIRY_MARGIN));
    }

    public String authorization() {
        return "Bearer " + token;
    }

    @Override
    public String toString() {
        return "BearerToken[expires " + expiresAt + ", token hidden]";
    }
}

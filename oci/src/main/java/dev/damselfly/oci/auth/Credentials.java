package dev.damselfly.oci.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password, or an identity (refresh) token as Docker's credential helpers return
 * it. {@link #toString()} never shows the secret.
 */
public final class Credentials {
    private final String username;
    private final String secret;
    private final boolean identityToken;

    private Credentials(String username, String secret, boolean identityToken) {
        this.username = username;
        this.secret = secret;
        this.identityToken = identityToken;
    }

    /** Basic credentials. */
    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, false);
    }

    /** An OAuth2 refresh token ({@code identitytoken} in config.json). */
    public static Credentials identityToken(String username, String token) {
        return new Credentials(username == null ? "<token>" : username, token, true);
    }

    /** Parses {@code user:password} as given on a command line. */
    public static Credentials parseUserColonPassword(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("credentials must be USER:PASSWORD");
        }
        return basic(text.substring(0, colon), text.substring(colon + 1));
    }

    public String username() {
        return username;
    }

    /** The password or the identity token. */
    public String secret() {
        return secret;
    }

    public boolean isIdentityToken() {
        return identityToken;
    }

    /** The value of an {@code Authorization: Basic} header. */
    public String basicAuthorization() {
        String pair = username + ":" + secret;
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "Credentials[" + username + (identityToken ? ", identity token" : "") + ", secret hidden]";
    }
}

package dev.damselfly.testkit.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A user name and password for the registry (htpasswd) or the token server (Basic auth).
 *
 * @param username user name, no colon
 * @param password password
 */
public record Credentials(String username, String password) {

    /** @return {@code Basic base64(username:password)}, an Authorization header value */
    public String basicAuthorization() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** @return {@code username:password}, as skopeo's {@code --creds} wants it */
    public String colonSeparated() {
        return username + ":" + password;
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", ***]";
    }
}

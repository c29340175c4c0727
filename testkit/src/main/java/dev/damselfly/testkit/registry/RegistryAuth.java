package dev.damselfly.testkit.registry;

import dev.damselfly.testkit.token.TokenServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** How a {@link RegistryServer} authenticates clients. */
public sealed interface RegistryAuth permits RegistryAuth.None, RegistryAuth.Htpasswd, RegistryAuth.Token {

    /** @return no {@code auth} section: everyone may pull, push and delete */
    static RegistryAuth none() {
        return new None();
    }

    /**
     * @param user     user name (no colon)
     * @param password its password, stored bcrypt-hashed in the registry's htpasswd file
     * @return Basic auth (Distribution's {@code auth.htpasswd}) with a single user
     */
    static RegistryAuth htpasswd(String user, String password) {
        return new Htpasswd(Map.of(user, password));
    }

    /**
     * @param users user name to password
     * @return Basic auth with several users
     */
    static RegistryAuth htpasswd(Map<String, String> users) {
        return new Htpasswd(new LinkedHashMap<>(users));
    }

    /**
     * @param server a started token server; its realm, service, issuer and root certificate
     *               configure the registry's {@code auth.token}
     * @return bearer-token auth
     */
    static RegistryAuth token(TokenServer server) {
        return new Token(server);
    }

    /** @return credentials a client can use directly against the registry (htpasswd only) */
    Optional<Credentials> credentials();

    /** Anonymous access. */
    record None() implements RegistryAuth {
        @Override
        public Optional<Credentials> credentials() {
            return Optional.empty();
        }
    }

    /**
     * htpasswd Basic auth.
     *
     * @param users user name to clear-text password (hashed when written)
     */
    record Htpasswd(Map<String, String> users) implements RegistryAuth {
        // IllegalArgumentException when there is no user or a name has a colon.
        public Htpasswd {
            if (users.isEmpty()) {
                throw new IllegalArgumentException("htpasswd auth needs at least one user");
            }
            users.keySet().forEach(u -> {
                if (u.isEmpty() || u.contains(":")) {
                    throw new IllegalArgumentException("htpasswd user name must be non-empty without ':' : " + u);
                }
            });
            users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users));
        }

        /** @return the first user's credentials */
        @Override
        public Optional<Credentials> credentials() {
            var first = users.entrySet().iterator().next();
            return Optional.of(new Credentials(first.getKey(), first.getValue()));
        }
    }

    /**
     * Bearer tokens from our {@link TokenServer}.
     *
     * @param server the token server
     */
    record Token(TokenServer server) implements RegistryAuth {
        /** @return empty: clients authenticate at the token server, not at the registry */
        @Override
        public Optional<Credentials> credentials() {
            return Optional.empty();
        }
    }
}

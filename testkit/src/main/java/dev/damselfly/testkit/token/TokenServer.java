package dev.damselfly.testkit.token;

import com.sun.net.httpserver.HttpServer;
import dev.damselfly.testkit.support.DaemonThreads;
import dev.damselfly.testkit.support.FreePorts;
import dev.damselfly.testkit.support.ShutdownSafetyNet;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * A Docker bearer-token server on a free 127.0.0.1 port ({@code com.sun.net.httpserver}).
 *
 * <ul>
 *   <li>{@code GET /token?service=S&scope=repository:NAME:pull,push[&scope=...][&offline_token=true]}
 *       with optional Basic auth answers {@code {"token","access_token","expires_in","issued_at"}}
 *       (plus {@code refresh_token} when {@code offline_token=true});</li>
 *   <li>{@code POST /token} (form: {@code grant_type=password|refresh_token}, {@code username},
 *       {@code password}, {@code refresh_token}, {@code service}, {@code scope} space-separated,
 *       {@code access_type=offline}) answers the OAuth2 variant;</li>
 *   <li>wrong credentials, or none while anonymous access is off: 401 with
 *       {@code WWW-Authenticate: Basic realm="damselfly-testkit-token"}; a {@code service} other than
 *       {@link #service()}: 400; malformed scope: 400.</li>
 * </ul>
 * Tokens are ES256 JWTs with {@code iss}, {@code sub} ({@code ""} when anonymous), {@code aud} =
 * service, {@code exp}, {@code nbf} = {@code iat}, {@code jti}, {@code access}. Start one with
 * {@link #builder()}, then hand it to {@code RegistryAuth.token(server)}.
 */
public final class TokenServer implements AutoCloseable {

    /** The subject of tokens issued without credentials: the empty string. */
    public static final String ANONYMOUS = "";
    /** Default {@code service} (the registry's {@code auth.token.service}): {@value}. */
    public static final String DEFAULT_SERVICE = "damselfly-testkit-registry";
    /** Default {@code issuer} (the registry's {@code auth.token.issuer}): {@value}. */
    public static final String DEFAULT_ISSUER = "damselfly-testkit-token-issuer";
    /** Default token lifetime: 300 s. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(300);
    /** Default user name used by the JUnit extension's token mode: {@value}. */
    public static final String DEFAULT_USER = "damselfly";
    /** Default password of {@link #DEFAULT_USER}: {@value}. */
    public static final String DEFAULT_PASSWORD = "damselfly-secret";
    /** Clock-skew leeway Distribution 2.8 adds to {@code exp} and subtracts from {@code nbf}: 60 s. */
    public static final Duration DISTRIBUTION_LEEWAY = Duration.ofSeconds(60);
    /** How far beyond the leeway {@link #issueExpiredTokens(boolean) expired tokens} expire: 60 s. */
    public static final Duration EXPIRED_MARGIN = Duration.ofSeconds(60);

    private final HttpServer http;
    private final ExecutorService executor;
    private final TokenSigningKeys keys;
    private final TokenIssuer issuer;
    private final TokenEndpoint endpoint;
    private final String service;
    private final String issuerName;
    private final KeyIdentification keyIdentification;
    private volatile boolean closed;

    private TokenServer(Builder b) {
        this.service = b.service;
        this.issuerName = b.issuer;
        this.keyIdentification = b.keyIdentification;
        this.keys = TokenSigningKeys.generate();
        TokenPolicy policy = new TokenPolicy(b.passwords, b.anonymous, b.grants);
        this.issuer = new TokenIssuer(policy, new JwtSigner(keys, b.keyIdentification), b.issuer, b.service, b.lifetime);
        this.endpoint = new TokenEndpoint(policy, issuer, b.service);
        this.executor = DaemonThreads.cachedPool("damselfly-token-server");
        try {
            this.http = HttpServer.create(FreePorts.ephemeralLoopback(), 0);
        } catch (IOException e) {
            throw new TokenServerException("cannot bind the token server on 127.0.0.1", e);
        }
        http.setExecutor(executor);
        http.createContext("/", endpoint);
        http.start();
        ShutdownSafetyNet.register(this);
    }

    /** @return a builder with no users, anonymous access off, lifetime 300 s, {@link KeyIdentification#X5C} */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the token endpoint, {@code http://127.0.0.1:PORT/token} (the registry's {@code realm}) */
    public URI realm() {
        return URI.create("http://" + hostPort() + "/token");
    }

    /** @return {@code 127.0.0.1:PORT} */
    public String hostPort() {
        return "127.0.0.1:" + http.getAddress().getPort();
    }

    /** @return the {@code aud} of issued tokens, to configure as the registry's {@code service} */
    public String service() {
        return service;
    }

    /** @return the {@code iss} of issued tokens, to configure as the registry's {@code issuer} */
    public String issuer() {
        return issuerName;
    }

    /** @return how issued tokens identify their signing key */
    public KeyIdentification keyIdentification() {
        return keyIdentification;
    }

    /** @return the root certificate (PEM) that verifies every issued token */
    public String rootCertificatePem() {
        return keys.rootCertificatePem();
    }

    /**
     * Writes {@link #rootCertificatePem()} to a file, for the registry's {@code rootcertbundle}.
     *
     * @param file target file (replaced)
     * @return {@code file}
     */
    public Path writeRootCertBundle(Path file) {
        try {
            Files.writeString(file, rootCertificatePem(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new TokenServerException("cannot write the root certificate bundle to " + file, e);
        }
    }

    /**
     * Changes the lifetime of tokens issued from now on ({@code exp - iat} and {@code expires_in}).
     * The registry accepts a token for another {@link #DISTRIBUTION_LEEWAY} after {@code exp}; a
     * lifetime under 60 s is below what the Docker spec promises clients.
     *
     * @param lifetime positive, whole seconds (rounded down, at least 1 s reported)
     */
    public void setLifetime(Duration lifetime) {
        issuer.lifetime(lifetime);
    }

    /** @return the current token lifetime (default 300 s) */
    public Duration lifetime() {
        return issuer.lifetime();
    }

    /**
     * When on, tokens carry {@code exp = now - 120 s} (leeway 60 s + margin 60 s) and
     * {@code nbf = iat = exp - lifetime}, so the registry REALLY rejects them (401,
     * {@code error="invalid_token"}), while {@code expires_in}/{@code issued_at} still claim a fresh
     * token. A client must then drop its cached token and fetch a new one. Default off.
     *
     * @param expired whether to issue already-expired tokens
     */
    public void issueExpiredTokens(boolean expired) {
        issuer.issueExpired(expired);
    }

    /**
     * Shifts {@code iat}/{@code nbf}/{@code exp} of new tokens by {@code offset}, simulating a token
     * server whose clock is off (negative = behind). Ignored while {@link #issueExpiredTokens} is on.
     *
     * @param offset default zero
     */
    public void setClockOffset(Duration offset) {
        issuer.clockOffset(offset);
    }

    /**
     * Mints a token without an HTTP round trip (counted like any other).
     *
     * @param subject a user name or {@link #ANONYMOUS}; the policy decides the granted actions
     * @param scopes  e.g. {@code repository:foo:pull,push}
     * @return the token and its claims
     */
    public IssuedToken issueToken(String subject, String... scopes) {
        return issuer.issue(subject, List.of(scopes));
    }

    /** @return tokens issued since start or {@link #resetCounters()} */
    public long tokensIssued() {
        return issuer.issuedTotal();
    }

    /**
     * @param scope a scope in any action order, e.g. {@code repository:foo:push,pull}
     * @return tokens issued whose request contained that scope (compared canonically)
     */
    public long tokensIssued(String scope) {
        return issuer.issuedFor(scope);
    }

    /** @return the scopes, as sent, of the last token issued; empty before the first */
    public List<String> lastScopes() {
        return issuer.lastScopes();
    }

    /** @return every token issued since start or {@link #resetCounters()}, oldest first */
    public List<IssuedToken> issued() {
        return issuer.issued();
    }

    /** @return HTTP requests received (any path, any outcome) */
    public long requests() {
        return endpoint.requests.get();
    }

    /** @return requests answered 400 or 401 */
    public long rejected() {
        return endpoint.rejected.get();
    }

    /** Zeroes every counter and forgets issued tokens (refresh tokens stay valid). */
    public void resetCounters() {
        issuer.reset();
        endpoint.requests.set(0);
        endpoint.rejected.set(0);
    }

    /** Stops the HTTP server and its threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.stop(0);
        executor.shutdownNow();
        ShutdownSafetyNet.unregister(this);
    }

    @Override
    public String toString() {
        return "TokenServer[" + realm() + ", service=" + service + "]";
    }

    /** Configures a {@link TokenServer}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, String> passwords = new LinkedHashMap<>();
        private final Map<String, List<TokenPolicy.Grant>> grants = new LinkedHashMap<>();
        private boolean anonymous;
        private Duration lifetime = DEFAULT_LIFETIME;
        private String service = DEFAULT_SERVICE;
        private String issuer = DEFAULT_ISSUER;
        private KeyIdentification keyIdentification = KeyIdentification.X5C;

        private Builder() {
        }

        /**
         * Adds a user. Without {@link #grant grants} it gets every requested action everywhere.
         *
         * @param name     user name (no colon)
         * @param password its password
         * @return this
         */
        public Builder user(String name, String password) {
            if (name.isEmpty() || name.contains(":")) {
                throw new IllegalArgumentException("user name must be non-empty and contain no ':' : " + name);
            }
            passwords.put(name, password);
            return this;
        }

        /**
         * @param allowed whether requests without credentials get a token (default false:
         *                they get 401). Anonymous tokens grant {@code pull} unless
         *                {@link #grant(String, String, String...) grant(ANONYMOUS, ...)} says otherwise.
         * @return this
         */
        public Builder allowAnonymous(boolean allowed) {
            this.anonymous = allowed;
            return this;
        }

        /**
         * Restricts a subject to explicit grants (the first grant replaces the default of "all"
         * for users / "pull" for anonymous); grants of one subject add up.
         *
         * @param subject        a user name or {@link #ANONYMOUS}
         * @param repositoryGlob repository names, {@code *} matches any characters incl. {@code /}
         * @param actions        e.g. {@code pull}, {@code push}, {@code delete}, or {@code *} for all
         * @return this
         */
        public Builder grant(String subject, String repositoryGlob, String... actions) {
            grants.computeIfAbsent(subject, k -> new ArrayList<>()).add(TokenPolicy.grant(repositoryGlob, actions));
            return this;
        }

        /**
         * @param lifetime token lifetime, positive (default 300 s)
         * @return this
         */
        public Builder lifetime(Duration lifetime) {
            if (lifetime.isNegative() || lifetime.isZero()) {
                throw new IllegalArgumentException("token lifetime must be positive, was " + lifetime);
            }
            this.lifetime = lifetime;
            return this;
        }

        /**
         * @param service the {@code aud} claim and accepted {@code service} parameter (default
         *                {@link #DEFAULT_SERVICE})
         * @return this
         */
        public Builder service(String service) {
            this.service = service;
            return this;
        }

        /**
         * @param issuer the {@code iss} claim (default {@link #DEFAULT_ISSUER})
         * @return this
         */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /**
         * @param identification {@code x5c} chain (default) or libtrust {@code kid}
         * @return this
         */
        public Builder keyIdentification(KeyIdentification identification) {
            this.keyIdentification = identification;
            return this;
        }

        /** @return a started server */
        public TokenServer start() {
            return new TokenServer(this);
        }
    }
}

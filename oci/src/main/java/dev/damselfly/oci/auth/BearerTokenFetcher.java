package dev.damselfly.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.RegistryException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gets a bearer token from a challenge's realm: {@code GET realm?service=S&scope=A&scope=B} with
 * Basic credentials when there are any, or the OAuth2 refresh-token {@code POST} when the
 * credentials are an identity token.
 */
public final class BearerTokenFetcher {
    /** Client id sent in OAuth2 token requests. */
    public static final String CLIENT_ID = "damselfly";
    private static final int MAX_TOKEN_RESPONSE_BYTES = 1 << 20;

    private final TokenHttp http;
    private final Clock clock;

    /**
     * The token responses' parser, made on the first token fetched: a client made for an anonymous registry never
     * needs one, and making it at construction had a command's main thread wait for Jackson's classes to initialise
     * (a mount's warm-up thread initialises them meanwhile) before it could send its first request.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    public BearerTokenFetcher(TokenHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /**
     * @param registry names the registry in errors
     */
    public BearerToken fetch(String registry, AuthChallenge challenge, Scope scope, Optional<Credentials> credentials)
            throws RegistryException {
        String realm = challenge.realm().orElseThrow(() -> new RegistryException.UnauthorizedException(registry,
                "bearer challenge without realm: cannot get a token"));
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.UnauthorizedException(registry, "bad token realm '" + realm + "'");
        }
        if (!"https".equals(realmUri.getScheme()) && !"http".equals(realmUri.getScheme())) {
            throw new RegistryException.UnauthorizedException(registry, "token realm must be http(s), got '" + realm + "'");
        }
        List<String> query = new ArrayList<>();
        challenge.service().ifPresent(s -> query.add("service=" + encode(s)));
        Map<String, String> headers = new LinkedHashMap<>();
        URI target;
        byte[] form = null;
        if (credentials.isPresent() && credentials.get().isIdentityToken()) {
            query.add("grant_type=refresh_token");
            query.add("client_id=" + CLIENT_ID);
            query.add("refresh_token=" + encode(credentials.get().secret()));
            if (!scope.entries().isEmpty()) {
                query.add("scope=" + encode(String.join(" ", scope.entries())));
            }
            target = realmUri;
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            form = String.join("&", query).getBytes(StandardCharsets.UTF_8);
        } else {
            scope.entries().forEach(s -> query.add("scope=" + encode(s)));
            String separator = realm.contains("?") ? "&" : "?";
            target = URI.create(realm + (query.isEmpty() ? "" : separator + String.join("&", query)));
            credentials.ifPresent(c -> headers.put("Authorization", c.basicAuthorization()));
        }
        TokenHttp.Answer response;
        try {
            response = http.send(target, headers, form);
        } catch (IOException e) {
            throw new RegistryException.ServerException(registry, 0, "token request to " + realmUri.getHost() + " failed: " + e, e);
        }
        int status = response.status();
        if (status == 401 || status == 403) {
            throw new RegistryException.UnauthorizedException(registry, "token server " + realmUri.getHost()
                    + " refused the credentials for scope '" + scope + "' (HTTP " + status + ")");
        }
        if (status != 200) {
            throw new RegistryException.UnexpectedResponseException(registry, status, "token server " + realmUri.getHost() + " failed");
        }
        return parse(registry, response.body());
    }

    private BearerToken parse(String registry, byte[] body) throws RegistryException {
        if (body.length > MAX_TOKEN_RESPONSE_BYTES) {
            throw new RegistryException.UnauthorizedException(registry, "token response larger than 1 MiB");
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw new RegistryException.UnauthorizedException(registry, "token response is not JSON");
        }
        String token = node.path("token").asText("");
        if (token.isEmpty()) {
            token = node.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new RegistryException.UnauthorizedException(registry, "token response has neither token nor access_token");
        }
        Duration lifetime = node.path("expires_in").asLong(0) > 0
                ? Duration.ofSeconds(node.get("expires_in").asLong()) : BearerToken.DEFAULT_LIFETIME;
        Instant issuedAt = clock.instant();
        if (node.hasNonNull("issued_at")) {
            try {
                Instant claimed = Instant.parse(node.get("issued_at").asText());
                // Trust the server's issue time only when our clocks roughly agree.
                if (Duration.between(claimed, issuedAt).abs().compareTo(Duration.ofMinutes(1)) < 0) {
                    issuedAt = claimed;
                }
            } catch (DateTimeParseException ignored) {
                // issued_at is optional; a malformed one is ignored like Docker does.
            }
        }
        return new BearerToken(token, issuedAt.plus(lifetime));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package dev.damselfly.testkit.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.damselfly.testkit.support.QueryStrings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP side of the token server: {@code GET /token} (Docker token protocol, optional Basic
 * auth) and {@code POST /token} (Docker OAuth2 protocol: {@code grant_type=password} or
 * {@code refresh_token}).
 */
final class TokenEndpoint implements HttpHandler {

    /** Realm of the Basic challenge the endpoint answers unauthenticated requests with. */
    static final String BASIC_REALM = "damselfly-testkit-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TokenPolicy policy;
    private final TokenIssuer issuer;
    private final String service;
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
    final AtomicLong requests = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    TokenEndpoint(TokenPolicy policy, TokenIssuer issuer, String service) {
        this.policy = policy;
        this.issuer = issuer;
        this.service = service;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try {
            if (!exchange.getRequestURI().getPath().equals("/token")) {
                reply(exchange, 404, error("NOT_FOUND", "only /token is served here"));
                return;
            }
            switch (exchange.getRequestMethod()) {
                case "GET" -> handleGet(exchange);
                case "POST" -> handlePost(exchange);
                default -> reply(exchange, 405, error("UNSUPPORTED", "method " + exchange.getRequestMethod()));
            }
        } catch (IllegalArgumentException e) {
            rejected.incrementAndGet();
            reply(exchange, 400, error("INVALID_REQUEST", e.getMessage()));
        } finally {
            exchange.close();
        }
    }

    private void handleGet(HttpExchange exchange) throws IOException {
        Map<String, List<String>> params = QueryStrings.parse(exchange.getRequestURI().getRawQuery());
        if (!checkService(exchange, QueryStrings.first(params, "service"))) {
            return;
        }
        String subject = subjectFromBasicAuth(exchange.getRequestHeaders().getFirst("Authorization"));
        if (subject == null) {
            rejected.incrementAndGet();
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + BASIC_REALM + "\"");
            reply(exchange, 401, error("UNAUTHORIZED", "authentication required"));
            return;
        }
        IssuedToken token = issuer.issue(subject, scopes(params.getOrDefault("scope", List.of())));
        ObjectNode body = JSON.createObjectNode()
                .put("token", token.jwt())
                .put("access_token", token.jwt())
                .put("expires_in", token.expiresInSeconds())
                .put("issued_at", now());
        if ("true".equals(QueryStrings.first(params, "offline_token")) && !subject.equals(TokenServer.ANONYMOUS)) {
            body.put("refresh_token", newRefreshToken(subject));
        }
        reply(exchange, 200, body);
    }

    private void handlePost(HttpExchange exchange) throws IOException {
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, List<String>> params = QueryStrings.parse(form);
        if (!checkService(exchange, QueryStrings.first(params, "service"))) {
            return;
        }
        String grantType = QueryStrings.first(params, "grant_type");
        String subject;
        if ("password".equals(grantType)) {
            String user = QueryStrings.first(params, "username");
            String password = QueryStrings.first(params, "password");
            subject = user != null && password != null && policy.authenticate(user, password) ? user : null;
        } else if ("refresh_token".equals(grantType)) {
            String refresh = QueryStrings.first(params, "refresh_token");
            subject = refresh == null ? null : refreshTokens.get(refresh);
        } else {
            throw new IllegalArgumentException("unsupported grant_type: " + grantType);
        }
        if (subject == null) {
            rejected.incrementAndGet();
            reply(exchange, 401, JSON.createObjectNode().put("error", "invalid_grant"));
            return;
        }
        List<String> rawScopes = scopes(params.getOrDefault("scope", List.of()));
        IssuedToken token = issuer.issue(subject, rawScopes);
        ObjectNode body = JSON.createObjectNode()
                .put("access_token", token.jwt())
                .put("scope", String.join(" ", rawScopes))
                .put("expires_in", token.expiresInSeconds())
                .put("issued_at", now());
        if ("refresh_token".equals(grantType)) {
            body.put("refresh_token", QueryStrings.first(params, "refresh_token"));
        } else if ("offline".equals(QueryStrings.first(params, "access_type"))) {
            body.put("refresh_token", newRefreshToken(subject));
        }
        reply(exchange, 200, body);
    }

    private boolean checkService(HttpExchange exchange, String requested) throws IOException {
        if (requested != null && !requested.equals(service)) {
            rejected.incrementAndGet();
            reply(exchange, 400, error("UNSUPPORTED", "unknown service " + requested + ", this server signs for " + service));
            return false;
        }
        return true;
    }

    /** @return the subject, {@link TokenServer#ANONYMOUS} for no credentials, or null when refused */
    private String subjectFromBasicAuth(String authorization) {
        if (authorization == null) {
            return policy.anonymousAllowed() ? TokenServer.ANONYMOUS : null;
        }
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        return policy.authenticate(user, decoded.substring(colon + 1)) ? user : null;
    }

    private static List<String> scopes(List<String> values) {
        List<String> scopes = new ArrayList<>();
        for (String value : values) {
            for (String s : value.split(" ")) {
                if (!s.isBlank()) {
                    scopes.add(s);
                }
            }
        }
        return scopes;
    }

    private String newRefreshToken(String subject) {
        String token = UUID.randomUUID().toString();
        refreshTokens.put(token, subject);
        return token;
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static ObjectNode error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putArray("errors").addObject().put("code", code).put("message", message);
        return body;
    }

    private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

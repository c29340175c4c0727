package dev.damselfly.testkit.token;

import static dev.damselfly.testkit.TestHttp.bearer;
import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.json;
import static dev.damselfly.testkit.TestHttp.jwtClaims;
import static dev.damselfly.testkit.TestHttp.jwtHeader;
import static dev.damselfly.testkit.TestHttp.pushBlob;
import static dev.damselfly.testkit.TestHttp.send;
import static dev.damselfly.testkit.TestHttp.token;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenServerTest {

    private static final String USER = "bob";
    private static final String PASSWORD = "hunter2";
    private static TokenServer tokens;
    private static RegistryServer registry;

    @BeforeAll
    static void start() {
        tokens = TokenServer.builder()
                .user(USER, PASSWORD)
                .user("reader", "r")
                .grant("reader", "public/*", "pull")
                .allowAnonymous(true)
                .grant(TokenServer.ANONYMOUS, "public/*", "pull")
                .start();
        registry = RegistryServer.start(RegistryAuth.token(tokens));
    }

    @AfterAll
    static void stop() {
        registry.close();
        tokens.close();
    }

    @BeforeEach
    void reset() {
        tokens.issueExpiredTokens(false);
        tokens.setClockOffset(Duration.ZERO);
        tokens.setLifetime(TokenServer.DEFAULT_LIFETIME);
        tokens.resetCounters();
    }

    private String userToken(String... scopes) {
        return token(tokens.realm(), tokens.service(), USER + ":" + PASSWORD, scopes);
    }

    @Test
    void registryChallengesWithOurRealmAndService() {
        HttpResponse<byte[]> r = get(registry.baseUri().resolve("/v2/"));
        assertEquals(401, r.statusCode());
        assertEquals("Bearer realm=\"" + tokens.realm() + "\",service=\"" + tokens.service() + "\"",
                r.headers().firstValue("WWW-Authenticate").orElseThrow());
        HttpResponse<byte[]> blob = get(registry.baseUri().resolve("/v2/some/repo/manifests/latest"));
        assertTrue(blob.headers().firstValue("WWW-Authenticate").orElseThrow()
                .contains("scope=\"repository:some/repo:pull\""));
    }

    @Test
    void userTokenPushesAndPullsAndIsCounted() {
        String scope = "repository:team/app:pull,push";
        String jwt = userToken(scope);
        byte[] data = "hello token".getBytes(StandardCharsets.UTF_8);
        String digest = pushBlob(registry.baseUri(), "team/app", data, bearer(jwt));
        HttpResponse<byte[]> pulled = get(registry.baseUri().resolve("/v2/team/app/blobs/" + digest), "Authorization", bearer(jwt));
        assertEquals(200, pulled.statusCode());
        assertArrayEquals(data, pulled.body());

        assertEquals(1, tokens.tokensIssued());
        assertEquals(1, tokens.tokensIssued("repository:team/app:push,pull"), "scopes compared canonically");
        assertEquals(0, tokens.tokensIssued("repository:team/app:pull"));
        assertEquals(List.of(scope), tokens.lastScopes());
        IssuedToken issued = tokens.issued().get(0);
        assertEquals(USER, issued.subject());
        assertEquals(java.util.Set.of("pull", "push"), issued.granted().get("repository:team/app"));
    }

    @Test
    void tokenHasTheClaimsDistributionChecks() {
        tokens.setLifetime(Duration.ofSeconds(120));
        HttpResponse<byte[]> r = get(URI.create(tokens.realm() + "?service=" + tokens.service()
                + "&scope=repository:a/b:pull&scope=repository:c:pull,push"), "Authorization", new Credentials(USER, PASSWORD).basicAuthorization());
        assertEquals(200, r.statusCode());
        JsonNode body = json(r);
        assertEquals(body.get("token").asText(), body.get("access_token").asText());
        assertEquals(120, body.get("expires_in").asLong());
        Instant.parse(body.get("issued_at").asText());

        JsonNode header = jwtHeader(body.get("token").asText());
        assertEquals("ES256", header.get("alg").asText());
        assertEquals("JWT", header.get("typ").asText());
        assertEquals(1, header.get("x5c").size());

        JsonNode claims = jwtClaims(body.get("token").asText());
        assertEquals(tokens.issuer(), claims.get("iss").asText());
        assertEquals(USER, claims.get("sub").asText());
        assertTrue(claims.get("aud").isTextual(), "aud must be a string for Distribution 2.8");
        assertEquals(tokens.service(), claims.get("aud").asText());
        assertEquals(120, claims.get("exp").asLong() - claims.get("iat").asLong());
        assertEquals(claims.get("iat").asLong(), claims.get("nbf").asLong());
        assertTrue(claims.get("jti").asText().length() > 10);
        assertEquals(2, claims.get("access").size());
        assertEquals("repository", claims.get("access").get(1).get("type").asText());
        assertEquals("c", claims.get("access").get(1).get("name").asText());
        assertEquals("[\"pull\",\"push\"]", claims.get("access").get(1).get("actions").toString());
        assertEquals(2, tokens.tokensIssued("repository:a/b:pull") + tokens.tokensIssued("repository:c:pull,push"));
    }

    @Test
    void wrongPasswordAndUnknownServiceAreRejectedByTheTokenServer() {
        HttpResponse<byte[]> wrong = get(URI.create(tokens.realm() + "?service=" + tokens.service() + "&scope=repository:x:pull"),
                "Authorization", new Credentials(USER, "nope").basicAuthorization());
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic "));
        HttpResponse<byte[]> service = get(URI.create(tokens.realm() + "?service=other&scope=repository:x:pull"),
                "Authorization", new Credentials(USER, PASSWORD).basicAuthorization());
        assertEquals(400, service.statusCode());
        HttpResponse<byte[]> badScope = get(URI.create(tokens.realm() + "?service=" + tokens.service() + "&scope=nonsense"),
                "Authorization", new Credentials(USER, PASSWORD).basicAuthorization());
        assertEquals(400, badScope.statusCode());
        assertEquals(3, tokens.rejected());
        assertEquals(0, tokens.tokensIssued());
    }

    @Test
    void anonymousAndRestrictedUsersGetOnlyTheirGrants() {
        String pusher = userToken("repository:public/lib:pull,push");
        String digest = pushBlob(registry.baseUri(), "public/lib", new byte[] {7, 7}, bearer(pusher));

        String anon = token(tokens.realm(), tokens.service(), null, "repository:public/lib:pull,push");
        assertEquals(200, get(registry.baseUri().resolve("/v2/public/lib/blobs/" + digest), "Authorization", bearer(anon)).statusCode());
        HttpResponse<byte[]> push = send("POST", registry.baseUri().resolve("/v2/public/lib/blobs/uploads/"), null, "Authorization", bearer(anon));
        assertEquals(401, push.statusCode());
        assertTrue(push.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"insufficient_scope\""));
        assertEquals(TokenServer.ANONYMOUS, tokens.issued().get(1).subject());
        assertEquals(java.util.Set.of("pull"), tokens.issued().get(1).granted().get("repository:public/lib"));

        String reader = token(tokens.realm(), tokens.service(), "reader:r", "repository:private/x:pull");
        assertEquals("[]", jwtClaims(reader).get("access").get(0).get("actions").toString());
        assertEquals(401, get(registry.baseUri().resolve("/v2/private/x/tags/list"), "Authorization", bearer(reader)).statusCode());
    }

    @Test
    void expiredTokensAreReallyRejectedAndFreshOnesWorkAgain() {
        String scope = "repository:exp/repo:pull";
        tokens.issueExpiredTokens(true);
        HttpResponse<byte[]> r = get(URI.create(tokens.realm() + "?service=" + tokens.service() + "&scope=" + scope),
                "Authorization", new Credentials(USER, PASSWORD).basicAuthorization());
        JsonNode body = json(r);
        assertEquals(300, body.get("expires_in").asLong(), "client is told the token is fresh");
        String expired = body.get("token").asText();
        assertTrue(jwtClaims(expired).get("exp").asLong() < Instant.now().minusSeconds(110).getEpochSecond());
        HttpResponse<byte[]> rejected = get(registry.baseUri().resolve("/v2/exp/repo/tags/list"), "Authorization", bearer(expired));
        assertEquals(401, rejected.statusCode());
        assertTrue(rejected.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"invalid_token\""));

        tokens.issueExpiredTokens(false);
        String fresh = userToken(scope);
        assertEquals(404, get(registry.baseUri().resolve("/v2/exp/repo/tags/list"), "Authorization", bearer(fresh)).statusCode(),
                "authorized (unknown repository)");
    }

    @Test
    void distributionAllowsSixtySecondsOfLeewayAfterExp() {
        tokens.setLifetime(Duration.ofSeconds(60));
        tokens.setClockOffset(Duration.ofSeconds(-60 - 30)); // exp = now - 30 s: inside the 60 s leeway
        String late = userToken("repository:lee/way:pull");
        assertEquals(404, get(registry.baseUri().resolve("/v2/lee/way/tags/list"), "Authorization", bearer(late)).statusCode());
        tokens.setClockOffset(Duration.ofSeconds(-60 - 90)); // exp = now - 90 s: beyond it
        String tooLate = userToken("repository:lee/way:pull");
        assertEquals(401, get(registry.baseUri().resolve("/v2/lee/way/tags/list"), "Authorization", bearer(tooLate)).statusCode());
        tokens.setClockOffset(Duration.ofSeconds(90)); // nbf = now + 90 s: beyond the leeway before nbf
        String early = userToken("repository:lee/way:pull");
        assertEquals(401, get(registry.baseUri().resolve("/v2/lee/way/tags/list"), "Authorization", bearer(early)).statusCode());
    }

    @Test
    void oauthPostWithPasswordAndRefreshToken() {
        String form = "grant_type=password&username=" + USER + "&password=" + PASSWORD + "&service=" + tokens.service()
                + "&client_id=test&access_type=offline&scope=repository:oauth/x:pull%20repository:oauth/y:pull";
        HttpResponse<byte[]> r = send("POST", tokens.realm(), form.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        JsonNode body = json(r);
        assertEquals(2, jwtClaims(body.get("access_token").asText()).get("access").size());
        String refresh = body.get("refresh_token").asText();

        String again = "grant_type=refresh_token&refresh_token=" + refresh + "&service=" + tokens.service()
                + "&client_id=test&scope=repository:oauth/x:pull";
        HttpResponse<byte[]> refreshed = send("POST", tokens.realm(), again.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/x-www-form-urlencoded");
        assertEquals(200, refreshed.statusCode());
        assertEquals(USER, jwtClaims(json(refreshed).get("access_token").asText()).get("sub").asText());

        String bad = "grant_type=password&username=" + USER + "&password=bad&service=" + tokens.service();
        assertEquals(401, send("POST", tokens.realm(), bad.getBytes(StandardCharsets.UTF_8)).statusCode());
    }

    @Test
    void kidIdentifiedTokensAreAcceptedToo() {
        try (TokenServer kid = TokenServer.builder().user("k", "k").keyIdentification(KeyIdentification.KID).start();
                RegistryServer reg = RegistryServer.start(RegistryAuth.token(kid))) {
            String jwt = token(kid.realm(), kid.service(), "k:k", "repository:kid/repo:pull,push");
            JsonNode header = jwtHeader(jwt);
            assertTrue(header.get("kid").asText().matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}"), header.toString());
            assertTrue(header.get("x5c") == null);
            pushBlob(reg.baseUri(), "kid/repo", new byte[] {1}, bearer(jwt));
        }
    }

    @Test
    void tokensFromAnotherServerAreRejected() {
        try (TokenServer other = TokenServer.builder().user(USER, PASSWORD).start()) {
            String foreign = token(other.realm(), other.service(), USER + ":" + PASSWORD, "repository:x/y:pull");
            HttpResponse<byte[]> r = get(registry.baseUri().resolve("/v2/x/y/tags/list"), "Authorization", bearer(foreign));
            assertEquals(401, r.statusCode(), "signed by a root the registry does not trust");
        }
    }

    @Test
    void issueTokenDirectlyAndValidation() {
        IssuedToken t = tokens.issueToken(USER, "repository:direct:pull");
        assertEquals(404, get(registry.baseUri().resolve("/v2/direct/tags/list"), "Authorization", bearer(t.jwt())).statusCode());
        assertEquals(1, tokens.tokensIssued("repository:direct:pull"));
        assertThrows(IllegalArgumentException.class, () -> tokens.setLifetime(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> TokenScope.parse("repository:x"));
        assertEquals("repository:host:5000/x:pull,push", TokenScope.parse("repository:host:5000/x:push,pull").canonical());
        assertTrue(tokens.rootCertificatePem().startsWith("-----BEGIN CERTIFICATE-----"));
    }
}

package dev.damselfly.oci.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void parsesDockerHubStyleBearerChallenge() {
        AuthChallenge c = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/busybox:pull\"").orElseThrow();
        assertTrue(c.isBearer());
        assertEquals("https://auth.docker.io/token", c.realm().orElseThrow());
        assertEquals("registry.docker.io", c.service().orElseThrow());
        assertEquals("repository:library/busybox:pull", c.scope().orElseThrow());
    }

    @Test
    void quotedValuesKeepCommasAndEscapes() {
        AuthChallenge c = AuthChallenge.parse("bearer realm=\"http://h/t\", scope=\"repository:a:pull,push\", "
                + "error=\"insufficient_scope\", x=\"q\\\"uote\"").orElseThrow();
        assertEquals("repository:a:pull,push", c.scope().orElseThrow());
        assertEquals("insufficient_scope", c.parameters().get("error"));
        assertEquals("q\"uote", c.parameters().get("x"));
    }

    @Test
    void basicWithUnquotedRealm() {
        AuthChallenge c = AuthChallenge.parse("Basic realm=Registry").orElseThrow();
        assertTrue(c.isBasic());
        assertEquals("Registry", c.realm().orElseThrow());
    }

    @Test
    void blankHeaderIsNoChallenge() {
        assertTrue(AuthChallenge.parse("  ").isEmpty());
        assertTrue(AuthChallenge.parse(null).isEmpty());
    }

    @Test
    void scopesAreOrderedAndDeduplicated() {
        Scope a = Scope.push("b").plus("repository:a:pull", "repository:a:pull");
        assertEquals("repository:a:pull repository:b:pull,push", a.toString());
        assertEquals(a, Scope.pull("a").plus(Scope.push("b")));
    }

    @Test
    void credentialsNeverShowSecrets() {
        Credentials c = Credentials.parseUserColonPassword("alice:s3cr:et");
        assertEquals("alice", c.username());
        assertEquals("s3cr:et", c.secret());
        assertTrue(!c.toString().contains("s3cr"));
        assertEquals("Basic YWxpY2U6czNjcjpldA==", c.basicAuthorization());
    }
}

package dev.damselfly.testkit.junit;

import static dev.damselfly.testkit.TestHttp.bearer;
import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.token;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.token.TokenServer;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TokenRegistryExtensionTest {

    @RegisterExtension
    static RegistryExtension registry = RegistryExtension.token(b -> b.lifetime(Duration.ofSeconds(90)).allowAnonymous(true));

    @Test
    void tokenModeWiresTheTokenServerIntoTheRegistry() {
        TokenServer tokens = registry.tokenServer();
        Credentials creds = registry.credentials().orElseThrow();
        assertEquals(TokenServer.DEFAULT_USER, creds.username());
        assertEquals(Duration.ofSeconds(90), tokens.lifetime());
        assertEquals(401, get(registry.baseUri().resolve("/v2/")).statusCode());
        String jwt = token(tokens.realm(), tokens.service(), creds.colonSeparated(), "repository:ext/repo:pull");
        assertEquals(404, get(registry.baseUri().resolve("/v2/ext/repo/tags/list"), "Authorization", bearer(jwt)).statusCode());
        String anonymous = token(tokens.realm(), tokens.service(), null, "repository:ext/repo:pull");
        assertEquals(404, get(registry.baseUri().resolve("/v2/ext/repo/tags/list"), "Authorization", bearer(anonymous)).statusCode());
    }

    @Nested
    class NestedTests {
        @Test
        void nestedClassesShareTheOuterRegistry() {
            assertTrue(registry.server().isRunning());
            assertTrue(registry.tokenServer().requests() >= 0);
        }
    }
}

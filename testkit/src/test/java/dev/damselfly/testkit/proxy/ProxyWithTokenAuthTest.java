package dev.damselfly.testkit.proxy;

import static dev.damselfly.testkit.TestHttp.bearer;
import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.pushBlob;
import static dev.damselfly.testkit.TestHttp.token;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.token.TokenServer;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The proxy in front of a token-auth registry: challenges untouched, redirects only for authorized reads. */
class ProxyWithTokenAuthTest {

    @Test
    void challengesPassUntouchedAndRedirectsNeedAValidToken() {
        try (TokenServer tokens = TokenServer.builder().user("u", "p").start();
                RegistryServer registry = RegistryServer.start(RegistryAuth.token(tokens));
                FaultInjectingProxy proxy = FaultInjectingProxy.start(registry)) {
            String jwt = token(tokens.realm(), tokens.service(), "u:p", "repository:secure/repo:pull,push");
            byte[] data = DeterministicBytes.bytes(1, 50_000);
            String digest = pushBlob(proxy.baseUri(), "secure/repo", data, bearer(jwt));
            URI blob = proxy.baseUri().resolve("/v2/secure/repo/blobs/" + digest);

            HttpResponse<byte[]> direct = get(registry.baseUri().resolve("/v2/secure/repo/blobs/" + digest));
            HttpResponse<byte[]> proxied = get(blob);
            assertEquals(401, proxied.statusCode());
            assertEquals(direct.headers().firstValue("WWW-Authenticate").orElseThrow(),
                    proxied.headers().firstValue("WWW-Authenticate").orElseThrow());

            FaultRule redirect = proxy.redirectBlobs();
            assertEquals(401, get(blob).statusCode(), "no token: the registry's 401, not a redirect");
            HttpResponse<byte[]> redirected = get(blob, "Authorization", bearer(jwt));
            assertEquals(307, redirected.statusCode());
            HttpResponse<byte[]> fromStorage = get(URI.create(redirected.headers().firstValue("Location").orElseThrow()));
            assertEquals(200, fromStorage.statusCode());
            assertArrayEquals(data, fromStorage.body());
            assertEquals(1, redirect.hits());
        }
    }
}

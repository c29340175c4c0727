package dev.damselfly.testkit.junit;

import static dev.damselfly.testkit.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.proxy.ProxyRequest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryExtensionTest {

    @RegisterExtension
    static RegistryExtension registry = RegistryExtension.anonymous().withFaultProxy();

    @Test
    @Order(1)
    void exposesARunningRegistryAndProxy() {
        assertTrue(registry.server().isRunning());
        assertEquals(registry.server().hostPort(), registry.hostPort());
        assertEquals(200, get(registry.baseUri().resolve("/v2/")).statusCode());
        assertEquals(200, get(registry.proxy().baseUri().resolve("/v2/")).statusCode());
        assertTrue(registry.credentials().isEmpty());
        assertThrows(IllegalStateException.class, registry::tokenServer);
        registry.proxy().failNext(5, 500, ProxyRequest.any());
        assertEquals(500, get(registry.proxy().baseUri().resolve("/v2/")).statusCode());
    }

    @Test
    @Order(2)
    void proxyRulesAreClearedBetweenTests() {
        assertEquals(200, get(registry.proxy().baseUri().resolve("/v2/")).statusCode());
        assertTrue(registry.proxy().rules().isEmpty());
    }

    @Test
    @Order(3)
    void sameRegistryForTheWholeClass() {
        assertFalse(registry.server().accessLog().entries().isEmpty(), "earlier tests' requests are in this registry's log");
    }
}

package dev.damselfly.testkit.junit;

import static dev.damselfly.testkit.TestHttp.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.damselfly.testkit.registry.RegistryServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Example test classes run only through {@link RegistryExtensionLifecycleTest} (nested classes are
 * not picked up by Surefire; the enclosing class has no tests).
 */
final class RegistryExtensionExamples {

    private RegistryExtensionExamples() {
    }

    static class FailingExample {
        static RegistryServer seen;

        @RegisterExtension
        static RegistryExtension registry = RegistryExtension.anonymous();

        @Test
        void fails() {
            seen = registry.server();
            get(registry.baseUri().resolve("/v2/failing/example/manifests/latest"));
            registry.server().accessLog().sync();
            assertEquals(1, 2, "deliberate failure");
        }
    }

    static class PerTestExample {
        static final List<RegistryServer> seen = new ArrayList<>();

        @RegisterExtension
        RegistryExtension registry = RegistryExtension.htpasswd("u", "p");

        @Test
        void first() {
            seen.add(registry.server());
            assertEquals(401, get(registry.baseUri().resolve("/v2/")).statusCode());
        }

        @Test
        void second() {
            seen.add(registry.server());
            assertEquals(401, get(registry.baseUri().resolve("/v2/")).statusCode());
        }
    }
}

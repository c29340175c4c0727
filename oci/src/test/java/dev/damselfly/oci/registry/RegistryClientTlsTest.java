package dev.damselfly.oci.registry;

import static dev.damselfly.oci.registry.RegistryTestSupport.content;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushBlob;
import static dev.damselfly.oci.registry.RegistryTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.testkit.registry.RegistryServer;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A registry serving HTTPS with a private CA: trusted through an extra CA file, refused without it. */
class RegistryClientTlsTest {
    private static RegistryServer registry;

    @BeforeAll
    static void start() {
        registry = RegistryServer.builder().tls().start();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void extraCaFileMakesThePrivateCaTrusted() throws Exception {
        assertEquals("https", registry.baseUri().getScheme());
        ImageReference repo = ImageReference.parse(registry.hostPort() + "/tls/blob:latest");
        try (RegistryClient client = RegistryClient.create(RegistryClientConfig.builder()
                .extraCaFile(registry.tls().orElseThrow().caFile()).build())) {
            byte[] bytes = content(31, 70_000);
            Descriptor d = pushBlob(client, repo, bytes, MediaTypes.OCI_LAYER_TAR);
            assertArrayEquals(bytes, readAll(client.pullBlob(repo, d.digest(), bytes.length)));
        }
    }

    @Test
    void withoutTheCaTheRegistryIsRefusedAndNeverDowngradedToPlainHttp() {
        ImageReference repo = ImageReference.parse(registry.hostPort() + "/tls/absent:latest");
        try (RegistryClient client = RegistryTestSupport.client()) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.pullManifest(repo));
            assertTrue(e.getMessage().contains("PKIX") || e.getMessage().contains("certificate"), e.getMessage());
        }
    }

    @Test
    void plainHttpByConfigDoesNotTalkToATlsRegistry() {
        ImageReference repo = ImageReference.parse(registry.hostPort() + "/tls/absent:latest");
        try (RegistryClient client = RegistryClient.create(RegistryClientConfig.builder()
                .plainHttpRegistries(Set.of(registry.hostPort())).maxRetries(0).build())) {
            assertThrows(RegistryException.class, () -> client.pullManifest(repo));
        }
    }
}

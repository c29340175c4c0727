package dev.damselfly.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.registry.TlsMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/**
 * The registry client's TLS context is built on its first TLS connection (here to a real HTTPS registry), once, and a
 * context that cannot be built fails that connection with the reason.
 */
class DeferredTlsStrategyTest {
    @Test
    void buildsTheContextOnTheFirstTlsConnectionAndOnlyOnce() throws Exception {
        try (RegistryServer registry = RegistryServer.builder().tls().start()) {
            TlsMaterial tls = registry.tls().orElseThrow();
            AtomicInteger built = new AtomicInteger();
            DeferredTlsStrategy strategy = new DeferredTlsStrategy(() -> {
                built.incrementAndGet();
                return tls.sslContext(); // trusts the registry's private CA
            });
            assertEquals(0, built.get(), "nothing built before a TLS connection");
            for (int i = 0; i < 2; i++) {
                try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), registry.port());
                     SSLSocket secured = strategy.upgrade(plain, "127.0.0.1", registry.port(), null, null)) {
                    secured.getOutputStream().write("GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    secured.getOutputStream().flush();
                    String status = new String(secured.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                    assertEquals("HTTP/1.0 200", status, "the registry answered through the TLS session");
                }
            }
            assertEquals(1, built.get(), "one context for every connection");
        }
    }

    @Test
    void aContextThatCannotBeBuiltFailsTheConnectionWithItsReason() throws Exception {
        IOException unreadable = new IOException("cannot read the trust store");
        DeferredTlsStrategy strategy = new DeferredTlsStrategy(() -> {
            throw new UncheckedIOException(unreadable);
        });
        try (Socket unconnected = new Socket()) {
            assertSame(unreadable, assertThrows(IOException.class,
                    () -> strategy.upgrade(unconnected, "registry.invalid", 443, null, null)));
        }
        AtomicInteger tries = new AtomicInteger();
        DeferredTlsStrategy refused = new DeferredTlsStrategy(() -> {
            tries.incrementAndGet();
            throw new IllegalArgumentException("bad trust material");
        });
        for (int i = 0; i < 2; i++) {
            try (Socket unconnected = new Socket()) {
                IOException e = assertThrows(IOException.class, () -> refused.upgrade(unconnected, "registry.invalid", 443, null, null));
                assertTrue(e.getMessage().contains("bad trust material"), e.getMessage());
            }
        }
        assertEquals(2, tries.get(), "a failed build is tried again on the next connection");
    }
}

package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamResolverTest {
    private final UpstreamResolver resolver = new UpstreamResolver(ProxyConfig.builder()
            .registries(List.of(RegistryUpstream.of("docker.io"), RegistryUpstream.of("ghcr.io"),
                    new RegistryUpstream("10.0.0.5:5000", URI.create("http://10.0.0.5:5000"))))
            .build());

    @Test
    void dockerHubIsTheDefaultMirrorWhenConfigured() throws Exception {
        UpstreamTarget target = resolver.resolve("/v2/library/busybox/manifests/latest", null);
        assertEquals("https://registry-1.docker.io/v2/library/busybox/manifests/latest", target.uri().toString());
        assertTrue(target.mirror());
    }

    @Test
    void containerdNsParameterAndDragonflyHeaderNameTheRegistry() throws Exception {
        assertEquals("https://ghcr.io/v2/o/a/blobs/sha256:ab?ns=ghcr.io",
                resolver.resolve("/v2/o/a/blobs/sha256:ab?ns=ghcr.io", null).uri().toString());
        assertEquals("http://10.0.0.5:5000/v2/x/manifests/1?ns=10.0.0.5:5000",
                resolver.resolve("/v2/x/manifests/1?ns=10.0.0.5:5000", null).uri().toString());
        assertEquals("https://registry-1.docker.io/v2/",
                resolver.resolve("/v2/", "https://index.docker.io").uri().toString(), "Dragonfly's header value for Docker Hub");
        assertEquals("ghcr.io", resolver.resolve("/v2/", "ghcr.io").registry().name());
    }

    @Test
    void forwardProxyRequestsAreUpgradedToTheRegistrysScheme() throws Exception {
        UpstreamTarget target = resolver.resolve("http://ghcr.io/v2/o/a/blobs/sha256:ab", null);
        assertEquals("https://ghcr.io/v2/o/a/blobs/sha256:ab", target.uri().toString(), "nydusd use_http");
        assertFalse(target.mirror());
        assertEquals("http://10.0.0.5:5000/v2/", resolver.resolve("http://10.0.0.5:5000/v2/", null).uri().toString());
    }

    @Test
    void everythingElseIsForbidden() {
        assertEquals(403, assertThrows(ProxyException.class, () -> resolver.resolve("/v2/?ns=quay.io", null)).status());
        assertEquals(403, assertThrows(ProxyException.class, () -> resolver.resolve("http://quay.io/v2/", null)).status());
        assertEquals(403, assertThrows(ProxyException.class, () -> resolver.resolve("http://10.0.0.5:5001/v2/", null)).status());
        assertEquals(403, assertThrows(ProxyException.class, () -> resolver.resolve("/v2/", "http://169.254.169.254")).status());
        assertEquals(400, assertThrows(ProxyException.class, () -> resolver.resolve("::not a uri", null)).status());
    }

    @Test
    void connectTargetsMustBeConfiguredUpstreams() throws Exception {
        assertEquals("ghcr.io", resolver.resolveConnect("ghcr.io:443").name());
        assertEquals("docker.io", resolver.resolveConnect("registry-1.docker.io:443").name());
        assertEquals(403, assertThrows(ProxyException.class, () -> resolver.resolveConnect("ghcr.io:22")).status());
        assertEquals(400, assertThrows(ProxyException.class, () -> resolver.resolveConnect("ghcr.io")).status());
    }

    @Test
    void noDefaultMirrorWithoutDockerHub() {
        UpstreamResolver noHub = new UpstreamResolver(ProxyConfig.builder().registries(List.of(RegistryUpstream.of("ghcr.io"))).build());
        assertEquals(403, assertThrows(ProxyException.class, () -> noHub.resolve("/v2/", null)).status());
    }

    @Test
    void registryNamesAreHostsNotUrls() {
        assertThrows(IllegalArgumentException.class, () -> RegistryUpstream.of("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> new RegistryUpstream("a/b", URI.create("https://a")));
        assertThrows(IllegalArgumentException.class, () -> new RegistryUpstream("a", URI.create("ftp://a")));
        assertEquals("127.0.0.1:5000", new RegistryUpstream("127.0.0.1:5000", URI.create("http://127.0.0.1:5000")).name());
    }
}

package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.containerd.ContainerdDaemon;
import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containerd pulls an image from a registry that requires Basic auth, through the proxy as its
 * hosts.toml mirror. The registry's own address in hosts.toml is unreachable, so the pull can only
 * succeed through the mirror.
 */
class ContainerdThroughMirrorTest {
    private static final String USER = "ctr-user";
    private static final String PASSWORD = "ctr-password";

    @TempDir
    Path work;

    @Test
    void ctrPullsAPrivateImageThroughTheMirror() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(77).layers(3).allEntryTypesLayer(true)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(work.resolve("image"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.htpasswd(USER, PASSWORD));
             ProxyServer proxy = ProxyServer.start(ProxyConfig.builder()
                     .listen(new InetSocketAddress("127.0.0.1", 0))
                     .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort()))))
                     .build());
             ContainerdDaemon containerd = ContainerdDaemon.start()) {
            Skopeo.create().push(image, registry.hostPort(), "private/app", "v1", new Credentials(USER, PASSWORD));
            var mark = registry.accessLog().mark();

            Path hosts = containerd.workDir().resolve("certs.d");
            Path hostDir = Files.createDirectories(hosts.resolve(registry.hostPort()));
            Files.writeString(hostDir.resolve("hosts.toml"), "server = \"http://127.0.0.1:1\"\n\n"
                    + "[host.\"http://" + proxy.hostPort() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");

            String ref = registry.hostPort() + "/private/app:v1";
            ContainerdDaemon.Result pull = containerd.ctr("images", "pull", "--hosts-dir", hosts.toString(),
                    "--user", USER + ":" + PASSWORD, "--snapshotter", "native", ref);
            assertEquals(0, pull.exitCode(), pull.output() + "\n--- containerd log\n" + containerd.log());
            ContainerdDaemon.Result listed = containerd.ctr("images", "ls", "-q");
            assertTrue(listed.output().contains(ref), listed.output());

            registry.accessLog().awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(5));
            for (LayerDescriptor layer : image.layers()) {
                long gets = registry.accessLog().since(mark).count(e -> e.isBlobGet() && e.status() == 200
                        && e.path().endsWith(layer.digest()));
                assertEquals(1, gets, "layer " + layer.digest() + " fetched once, through the mirror");
            }
        }
    }
}

package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.testkit.containerd.ContainerdDaemon;
import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real containerd pulls a private image through the proxy with the P2P path on: every layer GET is answered
 * by the {@link RegistryBlobFetcher} stand-in (after the origin confirmed containerd's credentials), and
 * containerd accepts those responses (status, lengths, digests) and unpacks the image.
 */
class ContainerdThroughP2pTest {
    private static final String USER = "ctr-p2p-user";
    private static final String PASSWORD = "ctr-p2p-password";

    @TempDir
    Path work;

    @Test
    void ctrPullsAPrivateImageWhoseLayersComeFromTheFetcher() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(78).layers(3).allEntryTypesLayer(true)
                .compression(LayerCompression.GZIP).tag("v1").writeLayout(work.resolve("image"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.htpasswd(USER, PASSWORD));
             RegistryClient origin = RegistryClient.create(RegistryClientConfig.builder()
                     .credentials(CredentialProvider.of(registry.hostPort(), Credentials.basic(USER, PASSWORD))).build())) {
            RegistryBlobFetcher fetcher = new RegistryBlobFetcher(origin, registry.hostPort());
            try (ProxyServer proxy = ProxyServer.start(ProxyConfig.builder()
                         .listen(new InetSocketAddress("127.0.0.1", 0))
                         .registries(List.of(new RegistryUpstream(registry.hostPort(), URI.create("http://" + registry.hostPort()))))
                         .blobFetcher(fetcher)
                         .build());
                 ContainerdDaemon containerd = ContainerdDaemon.start()) {
                Skopeo.create().push(image, registry.hostPort(), "private/app", "v1",
                        new dev.damselfly.testkit.registry.Credentials(USER, PASSWORD));
                Path hosts = containerd.workDir().resolve("certs.d");
                Path hostDir = Files.createDirectories(hosts.resolve(registry.hostPort()));
                Files.writeString(hostDir.resolve("hosts.toml"), "server = \"http://127.0.0.1:1\"\n\n"
                        + "[host.\"http://" + proxy.hostPort() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");

                String ref = registry.hostPort() + "/private/app:v1";
                ContainerdDaemon.Result pull = containerd.ctr("images", "pull", "--hosts-dir", hosts.toString(),
                        "--user", USER + ":" + PASSWORD, "--snapshotter", "native", ref);
                assertEquals(0, pull.exitCode(), pull.output() + "\n--- containerd log\n" + containerd.log());
                for (LayerDescriptor layer : image.layers()) {
                    assertTrue(fetcher.has(Digest.parse(layer.digest())), "layer " + layer.digest() + " came through the fetcher");
                }
                assertTrue(fetcher.requests.stream().allMatch(r -> r.originHeader("Authorization").isPresent()),
                        "containerd's credentials reached the fetcher's origin headers");
            }
        }
    }
}

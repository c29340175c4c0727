package dev.damselfly.testkit.skopeo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.damselfly.testkit.accesslog.AccessLogEntry;
import dev.damselfly.testkit.image.Digests;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.proxy.FaultInjectingProxy;
import dev.damselfly.testkit.proxy.FaultRule;
import dev.damselfly.testkit.proxy.ProxyRequest;
import dev.damselfly.testkit.registry.Credentials;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.token.TokenServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated layouts are accepted by real skopeo and a real registry, with every auth mode and through the proxy. */
class SkopeoPushTest {

    private static final Skopeo SKOPEO = Skopeo.create();
    @TempDir
    static Path dir;
    private static TestImage image;

    @BeforeAll
    static void generate() {
        image = TestImageGenerator.builder().seed(77).layers(3).largeLayerBytes(8L << 20).writeLayout(dir.resolve("image"));
    }

    private static List<String> layerDigests(JsonNode inspect) {
        List<String> digests = new ArrayList<>();
        inspect.get("Layers").forEach(n -> digests.add(n.asText()));
        return digests;
    }

    @Test
    void pushToAnonymousRegistryAndInspect() {
        try (RegistryServer registry = RegistryServer.start()) {
            SKOPEO.push(image, registry.hostPort(), "gen/image", "v1", null);
            JsonNode inspect = SKOPEO.inspect(registry.hostPort() + "/gen/image:v1", false, null);
            assertEquals(image.layers().stream().map(LayerDescriptor::digest).toList(), layerDigests(inspect));
            assertEquals(image.manifestDigest(), inspect.get("Digest").asText());
            assertEquals("amd64", inspect.get("Architecture").asText());
            JsonNode raw = SKOPEO.inspect(registry.hostPort() + "/gen/image:v1", true, null);
            assertEquals(image.configDigest(), raw.get("config").get("digest").asText());

            registry.accessLog().sync();
            long layerBytes = image.layers().stream().mapToLong(LayerDescriptor::size).sum();
            assertTrue(registry.accessLog().count(e -> e.method().equals("PUT") && e.isBlobUpload() && e.status() == 201) >= 4);
            assertTrue(registry.accessLog().bytesServed(AccessLogEntry::isBlobGet) < layerBytes, "inspect does not download layers");
        }
    }

    @Test
    void pushWithTokenAuthThroughTheFaultProxy() {
        try (TokenServer tokens = TokenServer.builder().user("pusher", "pw").start();
                RegistryServer registry = RegistryServer.start(RegistryAuth.token(tokens));
                FaultInjectingProxy proxy = FaultInjectingProxy.start(registry)) {
            Credentials creds = new Credentials("pusher", "pw");
            SKOPEO.push(image, proxy.hostPort(), "secure/image", "latest", creds);
            JsonNode inspect = SKOPEO.inspect(proxy.hostPort() + "/secure/image:latest", false, creds);
            assertEquals(image.layers().stream().map(LayerDescriptor::digest).toList(), layerDigests(inspect));
            assertTrue(tokens.tokensIssued("repository:secure/image:pull,push") >= 1, tokens.issued().toString());
            assertTrue(proxy.count(ProxyRequest.method("PATCH").or(ProxyRequest.method("PUT"))) >= 4);

            FaultRule fail = proxy.failNext(1, 503, ProxyRequest.manifestReads());
            assertThrows(SkopeoException.class, () -> SKOPEO.inspect(proxy.hostPort() + "/secure/image:latest", true, creds));
            assertEquals(1, fail.hits());
            assertThrows(SkopeoException.class, () -> SKOPEO.inspect(registry.hostPort() + "/secure/image:latest", true,
                    new Credentials("pusher", "wrong")));
        }
    }

    @Test
    void pullThroughRedirectsToBlobStorage() {
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.htpasswd("h", "pw"));
                FaultInjectingProxy proxy = FaultInjectingProxy.start(registry)) {
            Credentials creds = new Credentials("h", "pw");
            SKOPEO.push(image, registry.hostPort(), "redir/image", "v1", creds);
            FaultRule redirect = proxy.redirectBlobs();
            Path out = dir.resolve("pulled-" + System.nanoTime());
            SKOPEO.run(List.of("copy", "--insecure-policy", "--src-tls-verify=false", "--src-creds", "h:pw",
                    "docker://" + proxy.hostPort() + "/redir/image:v1", "oci:" + out + ":v1"));
            for (LayerDescriptor layer : image.layers()) {
                assertEquals(layer.digest(), Digests.sha256(out.resolve("blobs/sha256/" + layer.digest().substring(7))));
            }
            assertTrue(redirect.hits() >= image.layers().size(), "layers and config came via the storage endpoint");
            assertEquals(0, proxy.blobStorage().rejectedAuthorization(), "skopeo drops Authorization on cross-host redirects");
        }
    }

    @Test
    void multiPlatformPushWithAll() {
        TestImage multi = TestImageGenerator.builder().seed(78).layers(1).allEntryTypesLayer(false).multiPlatform(true)
                .writeLayout(dir.resolve("multi"));
        try (RegistryServer registry = RegistryServer.start()) {
            SKOPEO.push(multi, registry.hostPort(), "gen/multi", "v1", null);
            JsonNode raw = SKOPEO.inspect(registry.hostPort() + "/gen/multi:v1", true, null);
            assertEquals(new String(multi.indexBytes(), StandardCharsets.UTF_8), raw.toString());
            JsonNode arm = SKOPEO.inspect(registry.hostPort() + "/gen/multi@" + multi.platforms().get(1).manifestDigest(), false, null);
            assertEquals("arm64", arm.get("Architecture").asText());
            assertEquals(multi.platforms().get(1).layerDigests(), layerDigests(arm));
        }
    }
}

package dev.damselfly.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.LayerCompression;
import dev.damselfly.testkit.image.LayerDescriptor;
import dev.damselfly.testkit.image.TestImage;
import dev.damselfly.testkit.image.TestImageGenerator;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code damselfly proxy} as a real process: it serves a mirror for the listed registry only, and stops on SIGTERM. */
class ProxyCommandEndToEndTest {
    @TempDir
    Path work;

    @Test
    void servesTheListedRegistryAndStopsOnSigterm() throws Exception {
        TestImage image = TestImageGenerator.builder().seed(12).layers(1).compression(LayerCompression.GZIP).tag("v1")
                .writeLayout(work.resolve("image"));
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none())) {
            Skopeo.create().push(image, registry.hostPort(), "e2e/proxy", "v1", null);
            Path stderr = work.resolve("proxy.err");
            Process proxy = DamselflyProcess.start(stderr, "proxy", "--listen", "127.0.0.1:0",
                    "--registry", registry.hostPort() + "=http://" + registry.hostPort());
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8));
                String line = out.readLine();
                assertTrue(line != null && line.startsWith("listening on 127.0.0.1:"), line + "\n" + Files.readString(stderr));
                String hostPort = line.substring("listening on ".length()).trim();
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                LayerDescriptor layer = image.layers().get(0);
                HttpResponse<byte[]> blob = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/e2e/proxy/blobs/"
                        + layer.digest() + "?ns=" + registry.hostPort())).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, blob.statusCode());
                assertArrayEquals(Files.readAllBytes(image.blobPath(layer.digest())), blob.body());
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/?ns=docker.io"))
                        .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(403, refused.statusCode(), "only the listed registry is reachable");
            } finally {
                proxy.destroy();
                assertTrue(proxy.waitFor(15, TimeUnit.SECONDS), "the proxy stops on SIGTERM");
            }
        }
    }

    @Test
    void withoutARegistryItIsAUsageError() throws Exception {
        DamselflyProcess.Result result = DamselflyProcess.run(null, "proxy", "--listen", "127.0.0.1:0");
        assertEquals(2, result.exitCode(), result.describe());
        assertTrue(result.stderr().contains("--registry"), result.describe());
    }
}

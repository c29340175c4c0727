package dev.damselfly.peer.cli.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.CliRun;
import dev.damselfly.peer.cli.ExitCodes;
import dev.damselfly.peer.cli.TerminalInfo;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.intercept.HttpsInterception;
import dev.damselfly.proxy.intercept.InterceptionCa;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code damselfly proxy} options for request-rate limiting and HTTPS interception reach the server's configuration. */
class ProxyCommandTest {
    private static final String REGISTRY = "registry.example:5000";

    @TempDir
    Path dir;

    @Test
    void rateLimitAndGeneratedCaInterceptionAreConfigured() {
        ProxyConfig config = parse("--registry", REGISTRY, "--listen", "127.0.0.1:0", "--request-rate-limit", "2.5",
                "--request-rate-burst", "4", "--intercept-https", REGISTRY, "--intercept-ca-dir", dir.toString());
        assertEquals(2.5, config.requestRateLimit());
        assertEquals(4, config.requestRateBurst());
        HttpsInterception interception = config.httpsInterception().orElseThrow();
        assertEquals(List.of(REGISTRY), interception.hosts());
        assertEquals(Optional.of(dir), interception.caDir());
        assertTrue(interception.caCert().isEmpty());
    }

    @Test
    void withoutTheOptionsNothingIsLimitedOrIntercepted() {
        ProxyConfig config = parse("--registry", REGISTRY);
        assertEquals(0.0, config.requestRateLimit());
        assertTrue(config.httpsInterception().isEmpty());
    }

    @Test
    void operatorCaServesAndTheRateLimitAnswers429() throws Exception {
        InterceptionCa.loadOrGenerate(dir);
        Path cert = dir.resolve(InterceptionCa.CERT_FILE);
        Path key = dir.resolve(InterceptionCa.KEY_FILE);
        ProxyConfig config = parse("--registry", REGISTRY, "--listen", "127.0.0.1:0", "--request-rate-limit", "0.01",
                "--request-rate-burst", "1", "--intercept-https", "registry.example:5000", "--intercept-https", "REGISTRY.example:5000",
                "--intercept-ca-cert", cert.toString(), "--intercept-ca-key", key.toString());
        assertEquals(Optional.of(cert), config.httpsInterception().orElseThrow().caCert());
        // The real server starts with that configuration: the operator's CA loads and the limit applies per client.
        try (ProxyServer server = ProxyServer.start(config)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + server.hostPort() + "/v2/?ns=" + REGISTRY + "-other"))
                        .build();
                statuses.add(http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            // The first request passes the limiter (and is refused: no such registry); the second is over the burst.
            assertEquals(List.of(403, 429), statuses);
        }
    }

    @Test
    void inconsistentOptionsAreUsageErrors() {
        String[][] lines = {
                {"--intercept-https", REGISTRY},
                {"--intercept-https", REGISTRY, "--intercept-ca-cert", "ca.pem"},
                {"--intercept-https", REGISTRY, "--intercept-ca-key", "ca-key.pem", "--intercept-ca-dir", "d"},
                {"--intercept-https", REGISTRY, "--intercept-ca-cert", "ca.pem", "--intercept-ca-key", "k.pem", "--intercept-ca-dir", "d"},
                {"--intercept-ca-dir", "d"},
                {"--intercept-https", "other.example", "--intercept-ca-dir", "d"},
                {"--request-rate-limit", "-1"},
                {"--request-rate-limit", "NaN"},
                {"--request-rate-burst", "3"},
                {"--request-rate-limit", "5", "--request-rate-burst", "-2"},
        };
        for (String[] line : lines) {
            List<String> args = new ArrayList<>(List.of("proxy", "--registry", REGISTRY, "--listen", "127.0.0.1:0"));
            args.addAll(List.of(line));
            CliRun run = CliRun.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
            assertTrue(run.err().startsWith("damselfly: "), run::toString);
            assertTrue(run.err().contains("--intercept") || run.err().contains("--request-rate") || run.err().contains("interception"),
                    run::toString);
        }
    }

    /** The configuration the command would serve with, from its parsed options (nothing is started). */
    private static ProxyConfig parse(String... args) {
        CliEnvironment environment = new CliEnvironment(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), TerminalInfo.NONE, System::nanoTime);
        ProxyCommand command = new ProxyCommand(environment);
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}

package dev.damselfly.peer.cli.proxy;

import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
import dev.damselfly.proxy.intercept.HttpsInterception;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code damselfly proxy}: serves the registry mirror, forward proxy and CONNECT tunnels for the named
 * registries until SIGINT or SIGTERM. Prints {@code listening on HOST:PORT} on standard output once bound.
 */
@Command(name = "proxy", sortOptions = false,
        description = {"Run the registry mirror and proxy (containerd hosts.toml mirror, docker registry-mirrors, "
                + "nydusd proxy) for the given registries, until interrupted. Only those registries are reachable "
                + "through it; everything else gets 403."})
public final class ProxyCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4001",
            converter = ListenAddressConverter.class,
            description = "Address to serve on (default ${DEFAULT-VALUE}; port 0 picks a free one).")
    private InetSocketAddress listen;

    @Option(names = "--registry", paramLabel = "NAME[=URL]", required = true, converter = RegistryUpstreamConverter.class,
            description = "A registry clients may reach (repeatable): NAME as in image references (served at https://NAME; "
                    + "docker.io at https://registry-1.docker.io), or NAME=URL for an explicit upstream.")
    private List<RegistryUpstream> registries;

    @Option(names = "--default-mirror", paramLabel = "NAME",
            description = "Registry for mirror requests that name none (docker registry-mirrors); default docker.io when listed.")
    private String defaultMirror;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "CA certificates trusted for upstream registries, "
            + "in addition to the system trust store.")
    private Path caFile;

    @Option(names = "--upstream-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Connect and idle-read timeout toward registries (default ${DEFAULT-VALUE} s).")
    private long upstreamTimeoutSeconds;

    @Option(names = "--request-rate-limit", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Requests per second allowed per client IP address, averaged; more get 429 with Retry-After "
                    + "(/healthy is exempt). Default ${DEFAULT-VALUE} = no limit.")
    private double requestRateLimit;

    @Option(names = "--request-rate-burst", paramLabel = "N", defaultValue = "0",
            description = "Requests a client address may send at once before --request-rate-limit applies. "
                    + "Default ${DEFAULT-VALUE} = the rate rounded up (at least 1).")
    private int requestRateBurst;

    @Option(names = "--intercept-https", paramLabel = "HOST",
            description = "Terminate CONNECT tunnels to this registry (its name, or host[:port] of its upstream; repeatable) "
                    + "with a certificate of the interception CA, so its requests are seen (and its blob GETs can go P2P). "
                    + "Clients must trust the CA. Default: none, every CONNECT is a raw tunnel.")
    private List<String> interceptHosts;

    @Option(names = "--intercept-ca-cert", paramLabel = "PEM",
            description = "The operator's CA certificate for --intercept-https (with --intercept-ca-key).")
    private Path interceptCaCert;

    @Option(names = "--intercept-ca-key", paramLabel = "PEM",
            description = "The private key of --intercept-ca-cert (unencrypted PKCS#8 or traditional PEM).")
    private Path interceptCaKey;

    @Option(names = "--intercept-ca-dir", paramLabel = "DIR",
            description = "Where a CA for --intercept-https is generated on first start and reused later "
                    + "(clients must trust its ca.pem); used when no --intercept-ca-cert is given.")
    private Path interceptCaDir;

    public ProxyCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig config = config();
        CountDownLatch stopped = new CountDownLatch(1);
        ProxyServer server = ProxyServer.start(config);
        Thread hook = new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "proxy-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        environment.out().println("listening on " + server.hostPort());
        environment.out().flush();
        stopped.await();
        return 0;
    }

    /** The server's settings from the parsed options; a bad combination is a usage error naming the option. */
    ProxyConfig config() {
        if (upstreamTimeoutSeconds <= 0) {
            throw usage("--upstream-timeout must be positive");
        }
        if (!(requestRateLimit >= 0) || Double.isInfinite(requestRateLimit)) {
            throw usage("--request-rate-limit must be a number >= 0 (requests per second), got " + requestRateLimit);
        }
        if (requestRateBurst < 0) {
            throw usage("--request-rate-burst must not be negative, got " + requestRateBurst);
        }
        if (requestRateBurst > 0 && requestRateLimit == 0) {
            throw usage("--request-rate-burst needs --request-rate-limit");
        }
        try {
            ProxyConfig.Builder builder = ProxyConfig.builder()
                    .listen(listen)
                    .registries(registries)
                    .defaultMirror(defaultMirror)
                    .upstreamTimeout(Duration.ofSeconds(upstreamTimeoutSeconds))
                    .upstreamClient(RegistryClientConfig.builder().extraCaFile(caFile).build())
                    .requestRateLimit(requestRateLimit)
                    .requestRateBurst(requestRateBurst);
            HttpsInterception interception = interception();
            if (interception != null) {
                builder.httpsInterception(interception);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** HTTPS interception from the {@code --intercept-*} options, or null when no host is named. */
    private HttpsInterception interception() {
        boolean caOptions = interceptCaCert != null || interceptCaKey != null || interceptCaDir != null;
        if (interceptHosts == null || interceptHosts.isEmpty()) {
            if (caOptions) {
                throw usage("--intercept-ca-cert, --intercept-ca-key and --intercept-ca-dir need --intercept-https HOST");
            }
            return null;
        }
        if ((interceptCaCert == null) != (interceptCaKey == null)) {
            throw usage("--intercept-ca-cert and --intercept-ca-key go together");
        }
        if (interceptCaCert != null) {
            if (interceptCaDir != null) {
                throw usage("--intercept-ca-dir is for a generated CA; it cannot be combined with --intercept-ca-cert");
            }
            return HttpsInterception.operatorCa(interceptHosts, interceptCaCert, interceptCaKey);
        }
        if (interceptCaDir == null) {
            throw usage("--intercept-https needs a CA: --intercept-ca-cert and --intercept-ca-key, or --intercept-ca-dir "
                    + "to generate one");
        }
        return HttpsInterception.generatedCa(interceptHosts, interceptCaDir);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

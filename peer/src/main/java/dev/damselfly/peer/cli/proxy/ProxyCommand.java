package dev.damselfly.peer.cli.proxy;

import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.ProxyServer;
import dev.damselfly.proxy.RegistryUpstream;
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

    public ProxyCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        if (upstreamTimeoutSeconds <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--upstream-timeout must be positive");
        }
        ProxyConfig config;
        try {
            config = ProxyConfig.builder()
                    .listen(listen)
                    .registries(registries)
                    .defaultMirror(defaultMirror)
                    .upstreamTimeout(Duration.ofSeconds(upstreamTimeoutSeconds))
                    .upstreamClient(RegistryClientConfig.builder().extraCaFile(caFile).build())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
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
}

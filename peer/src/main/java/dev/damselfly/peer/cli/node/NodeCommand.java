package dev.damselfly.peer.cli.node;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.node.NodeDaemon;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.peer.node.config.NodeConfigException;
import dev.damselfly.peer.node.config.NodeConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code damselfly node}: runs the node daemon in the foreground until SIGINT/SIGTERM, then stops it gracefully.
 * Prints one line {@code node ready host_id=… grpc=… vortex=… proxy=… metrics=… health=… admin=…} on standard
 * output once every port is bound (tests and scripts wait for it).
 */
@Command(name = "node", sortOptions = false,
        description = {"Run the Damselfly node: piece store, P2P upload and download, scheduler client (an embedded "
                + "scheduler when none is configured), registry mirror/proxy, metrics, health and admin endpoints.",
                "Every setting has a default; see README.md for the keys of the YAML file."})
public final class NodeCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: embedded defaults).")
    private Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (overrides dataDir).")
    private Path dataDir;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key (repeatable), e.g. --set upload.grpcPort=14000 --set scheduler.addresses=[sched:8002].")
    private List<String> overrides = new ArrayList<>();

    public NodeCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(overrides);
        if (dataDir != null) {
            all.add("dataDir=" + dataDir);
        }
        NodeConfig config;
        try {
            config = NodeConfigLoader.load(Optional.ofNullable(configFile), all);
        } catch (NodeConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        NodeDaemon node = NodeDaemon.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "node-shutdown"));
        StringBuilder line = new StringBuilder("node ready host_id=").append(node.identity().hostId());
        for (Map.Entry<String, Integer> port : new TreeMap<>(node.ports()).entrySet()) {
            line.append(' ').append(port.getKey()).append('=').append(port.getValue());
        }
        environment.out().println(line);
        environment.out().flush();
        stopped.await();
        return 0;
    }
}

package dev.damselfly.peer.cli.scheduler;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.proxy.ListenAddressConverter;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.SchedulerServer;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code damselfly scheduler}: serves the Dragonfly v2 scheduler API ({@code scheduler.v2.Scheduler} and
 * gRPC health) with Dragonfly's default settings until SIGINT or SIGTERM. Prints
 * {@code listening on HOST:PORT} on standard output once bound.
 */
@Command(name = "scheduler", sortOptions = false,
        description = {"Run the embedded Dragonfly v2 compatible scheduler standalone (gRPC scheduler.v2.Scheduler "
                + "plus gRPC health), for nodes and Dragonfly peers configured with its address."})
public final class SchedulerCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "0.0.0.0:8002", converter = ListenAddressConverter.class,
            description = "Address to serve on (default ${DEFAULT-VALUE}, Dragonfly's scheduler port; port 0 picks a free one).")
    private InetSocketAddress listen;

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "BASE",
            description = "Parent evaluator: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    private SchedulerConfig.Algorithm algorithm;

    @Option(names = "--parent-graph", paramLabel = "SHAPE", defaultValue = "MESH",
            description = "Edges between a task's peers: MESH (two peers may serve each other what the other lacks) or DAG"
                    + " (Dragonfly's scheduler: no edge that closes a cycle) (default ${DEFAULT-VALUE}).")
    private SchedulerConfig.ParentGraph parentGraph;

    @Option(names = "--source-stripes", paramLabel = "N", defaultValue = "2",
            description = "Most peers of one task reading it from the origin at once when a later peer stripes it (reads"
                    + " the pieces nobody has from the far end while the first reader's host also reads other tasks);"
                    + " 1 = never (default ${DEFAULT-VALUE}).")
    private int sourceStripes;

    public SchedulerCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        if (sourceStripes < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--source-stripes must be 1 or more, was " + sourceStripes);
        }
        SchedulerConfig config = SchedulerConfig.defaults().withAlgorithm(algorithm).withParentGraph(parentGraph)
                .withSourceStripes(sourceStripes);
        SchedulerServer server = new SchedulerServer(config).start(listen);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "scheduler-shutdown"));
        environment.out().println("listening on " + listen.getHostString() + ":" + server.port());
        environment.out().flush();
        stopped.await();
        return 0;
    }
}

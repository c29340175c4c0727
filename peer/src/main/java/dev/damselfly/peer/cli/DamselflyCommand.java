package dev.damselfly.peer.cli;

import dev.damselfly.peer.cli.image.ConvertCommand;
import dev.damselfly.peer.cli.image.ImageCommand;
import dev.damselfly.peer.cli.mount.MountCommand;
import dev.damselfly.peer.cli.node.GetCommand;
import dev.damselfly.peer.cli.node.NodeCommand;
import dev.damselfly.peer.cli.mount.UmountCommand;
import dev.damselfly.peer.cli.proxy.ProxyCommand;
import dev.damselfly.peer.cli.rafs.BuildRafsCommand;
import dev.damselfly.peer.cli.rafs.CheckRafsCommand;
import dev.damselfly.peer.cli.rafs.InspectRafsCommand;
import dev.damselfly.peer.cli.rafs.MergeRafsCommand;
import dev.damselfly.peer.cli.scheduler.SchedulerCommand;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top command, {@code damselfly}. Verb groups are separate classes listed in {@link #VERBS}, which {@link Main}
 * registers as subcommands (only the one a command line names, see {@link Main#commandLine(CliEnvironment, String...)});
 * {@code --help}, {@code --version}, {@code --verbose} and the exit-code list are inherited by all.
 */
@Command(name = "damselfly",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = "Damselfly: a Dragonfly-compatible P2P node agent for container images.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:success",
            "1:failure (registry, network, I/O or verification error)",
            "2:usage error (unknown option, bad value, invalid image reference)"})
public final class DamselflyCommand implements Runnable {
    /**
     * The verbs by name, in the order usage help lists them. Each name is its class's {@code @Command} name (MainTest
     * checks): finding the verb of a command line by reading every class's annotations instead took tens of
     * milliseconds at each start.
     */
    static final Map<String, Class<?>> VERBS = verbs(NodeCommand.class, "node", GetCommand.class, "get",
            ImageCommand.class, "image", ConvertCommand.class, "convert", BuildRafsCommand.class, "build",
            MergeRafsCommand.class, "merge", InspectRafsCommand.class, "inspect", CheckRafsCommand.class, "check",
            MountCommand.class, "mount", UmountCommand.class, "umount", ProxyCommand.class, "proxy",
            SchedulerCommand.class, "scheduler");

    private static Map<String, Class<?>> verbs(Object... classAndName) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < classAndName.length; i += 2) {
            byName.put((String) classAndName[i + 1], (Class<?>) classAndName[i]);
        }
        return Collections.unmodifiableMap(byName);
    }

    @Spec
    private CommandSpec spec;

    /** Read from the parse result by {@link Main#isVerbose}; the field only documents the option. */
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log at DEBUG level to stderr and print stack traces of failures.")
    private boolean verbose;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: one of " + spec.subcommands().keySet());
    }
}

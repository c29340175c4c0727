package dev.damselfly.peer.cli;

import dev.damselfly.peer.cli.image.ConvertCommand;
import dev.damselfly.peer.cli.mount.MountCommand;
import dev.damselfly.peer.cli.mount.MountWarmUp;
import dev.damselfly.peer.cli.rafs.BuildRafsCommand;
import dev.damselfly.peer.logging.LogLevels;
import dev.damselfly.rafs.codec.NativeCodecPreload;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;

/** Entry point of {@code damselfly.jar}: parses the command line, runs the command, exits with its status. */
public final class Main {
    private Main() {
    }

    /**
     * Verbs that compress chunks: their codecs' native libraries start loading before the command line is parsed
     * (see {@link NativeCodecPreload}), which takes the other core about 0.1 s of the build's serial start.
     */
    private static final Set<Class<?>> CODEC_VERBS = Set.of(BuildRafsCommand.class,
            ConvertCommand.class);

    public static void main(String[] args) {
        Optional<Class<?>> verb = namedVerb(args);
        if (verb.filter(CODEC_VERBS::contains).isPresent()) {
            NativeCodecPreload.start();
        }
        if (verb.filter(MountCommand.class::equals).isPresent() && !asksForHelp(args)) {
            MountWarmUp.start(args); // overlaps picocli's model of the verb (see MountWarmUp)
        }
        System.exit(execute(CliEnvironment.system(), args));
    }

    /** Runs one command line in {@code environment}; returns the exit status (see {@link ExitCodes}). */
    public static int execute(CliEnvironment environment, String... args) {
        return commandLine(environment, args).execute(args);
    }

    /** The whole configured picocli command tree, every verb (for tests that walk the verbs). */
    public static CommandLine commandLine(CliEnvironment environment) {
        return commandLine(environment, List.copyOf(DamselflyCommand.VERBS.values()));
    }

    /**
     * The command tree for running {@code args}: when they name a verb, only that verb is registered. Picocli builds
     * the model of every registered command (its options, mixins, converters, the classes behind them) before it
     * parses anything, and for the whole tree that was about a third of a second of one core at every start, on the
     * critical path of short commands such as {@code build} and {@code mount}. Without a known verb (no arguments,
     * {@code --help}, a misspelt verb) every verb is registered, so usage and errors list them all.
     */
    public static CommandLine commandLine(CliEnvironment environment, String... args) {
        return namedVerb(args).map(verb -> commandLine(environment, List.<Class<?>>of(verb)))
                .orElseGet(() -> commandLine(environment));
    }

    /** Whether the command line asks for usage or the version only (nothing is run then). */
    static boolean asksForHelp(String... args) {
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help") || arg.equals("-V") || arg.equals("--version")) {
                return true;
            }
        }
        return false;
    }

    /** The verb the first argument that is not an option names ({@code damselfly} has no option taking a value). */
    static Optional<Class<?>> namedVerb(String... args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return Optional.ofNullable(DamselflyCommand.VERBS.get(arg));
            }
        }
        return Optional.empty();
    }

    private static CommandLine commandLine(CliEnvironment environment, List<Class<?>> verbs) {
        CommandLine commandLine = new CommandLine(DamselflyCommand.class, new CommandFactory(environment));
        for (Class<?> verb : verbs) {
            commandLine.addSubcommand(verb);
        }
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(environment.out(), StandardCharsets.UTF_8), true));
        commandLine.setErr(new PrintWriter(new OutputStreamWriter(environment.err(), StandardCharsets.UTF_8), true));
        commandLine.setParameterExceptionHandler(new FailureHandlers.ParameterErrors());
        commandLine.setExecutionExceptionHandler(new FailureHandlers.ExecutionErrors());
        commandLine.setExecutionStrategy(parsed -> {
            LogLevels.configure(isVerbose(parsed), isDaemon(parsed));
            return new CommandLine.RunLast().execute(parsed);
        });
        return commandLine;
    }

    /** Verbs that run until stopped and log their events at INFO by default. */
    private static final java.util.Set<String> DAEMONS = java.util.Set.of("node", "scheduler");

    /** True when the verb run is a daemon ({@code node}, {@code scheduler}). */
    static boolean isDaemon(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult leaf = parsed;
        while (leaf.subcommand() != null) {
            leaf = leaf.subcommand();
        }
        return DAEMONS.contains(leaf.commandSpec().name());
    }

    /** True when {@code -v}/{@code --verbose} was given at any level of the command line. */
    static boolean isVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}

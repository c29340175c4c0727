package dev.damselfly.peer.cli;

import dev.damselfly.peer.logging.LogLevels;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of {@code damselfly.jar}: parses the command line, runs the command, exits with its status. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(execute(CliEnvironment.system(), args));
    }

    /** Runs one command line in {@code environment}; returns the exit status (see {@link ExitCodes}). */
    public static int execute(CliEnvironment environment, String... args) {
        return commandLine(environment).execute(args);
    }

    /** The configured picocli command tree (for execution, and for tests that walk the verbs). */
    public static CommandLine commandLine(CliEnvironment environment) {
        CommandLine commandLine = new CommandLine(DamselflyCommand.class, new CommandFactory(environment));
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

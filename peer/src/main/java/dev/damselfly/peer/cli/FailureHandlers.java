package dev.damselfly.peer.cli;

import dev.damselfly.oci.InvalidReferenceException;
import dev.damselfly.peer.logging.Redaction;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * How failures reach the user: one line {@code damselfly: <message>} on stderr (plus the stack trace
 * with {@code --verbose}), and an exit status from {@link ExitCodes}: {@link ExitCodes#USAGE} for
 * command-line mistakes (picocli's parameter errors, invalid image references), {@link ExitCodes#FAILURE}
 * for everything that went wrong while running.
 */
final class FailureHandlers {
    /** Prefix of every error line. */
    static final String PREFIX = "damselfly: ";

    private FailureHandlers() {
    }

    /** Usage errors: the message, picocli's "did you mean" suggestions, and where to get help. */
    static final class ParameterErrors implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine command = ex.getCommandLine();
            PrintWriter err = command.getErr();
            err.println(PREFIX + Redaction.redact(ex.getMessage()));
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    /** Failures thrown by a running command. */
    static final class ExecutionErrors implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine command, CommandLine.ParseResult parsed) {
            PrintWriter err = command.getErr();
            boolean verbose = Main.isVerbose(parsed);
            boolean usage = ex instanceof InvalidReferenceException;
            boolean known = usage || ex instanceof IOException || ex instanceof UncheckedIOException
                    || ex.getClass().getName().startsWith("dev.damselfly.");
            String message = describe(ex);
            if (!known && !verbose) {
                message += " (run with --verbose for details)";
            }
            err.println(PREFIX + message);
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return usage ? ExitCodes.USAGE : ExitCodes.FAILURE;
        }
    }

    /** One readable line for an exception, secrets redacted. */
    static String describe(Throwable failure) {
        return Redaction.redact(describeUnredacted(failure));
    }

    private static String describeUnredacted(Throwable failure) {
        if (failure instanceof UncheckedIOException && failure.getCause() != null) {
            return describeUnredacted(failure.getCause());
        }
        if (failure instanceof NoSuchFileException e) {
            return "no such file or directory: " + e.getFile();
        }
        if (failure instanceof AccessDeniedException e) {
            return "permission denied: " + e.getFile();
        }
        if (failure instanceof NotDirectoryException e) {
            return "not a directory: " + e.getFile();
        }
        if (failure instanceof FileAlreadyExistsException e) {
            return "already exists: " + e.getFile();
        }
        if (failure instanceof FileNotFoundException e) {
            return "file not found: " + e.getMessage();
        }
        String message = failure.getMessage();
        boolean ours = failure.getClass().getName().startsWith("dev.damselfly.");
        if (ours || failure instanceof IOException || failure instanceof IllegalArgumentException) {
            if (message == null || message.isBlank()) {
                return failure.getCause() != null ? describeUnredacted(failure.getCause())
                        : (failure instanceof IOException ? "I/O error: " : "") + failure.getClass().getSimpleName();
            }
            return message;
        }
        return "internal error: " + failure.getClass().getName() + (message == null ? "" : ": " + message);
    }
}

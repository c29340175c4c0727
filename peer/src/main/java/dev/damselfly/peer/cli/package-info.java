/**
 * The {@code damselfly} command line (picocli). {@link dev.damselfly.peer.cli.Main} wires the
 * commands, the error handling ({@link dev.damselfly.peer.cli.FailureHandlers}: one
 * {@code damselfly: message} line, exit codes from {@link dev.damselfly.peer.cli.ExitCodes}) and the
 * process environment ({@link dev.damselfly.peer.cli.CliEnvironment}: streams, terminal, clock) that
 * commands receive through their constructor. Each verb group is its own sub-package
 * ({@code image}; later {@code node}, {@code mount}, {@code convert}, {@code scheduler}) and is
 * registered in {@link dev.damselfly.peer.cli.DamselflyCommand}.
 */
package dev.damselfly.peer.cli;

/**
 * Progress of image copies: {@link dev.damselfly.peer.cli.progress.TerminalProgress} redraws one line
 * per blob in place on a terminal (ANSI escapes, at most ten frames a second), drawing frames made by
 * the pure {@link dev.damselfly.peer.cli.progress.ProgressRenderer};
 * {@link dev.damselfly.peer.cli.progress.LineProgress} prints one line per finished blob for logs and pipes.
 * Both are {@code CopyListener}s and safe to call from the copier's threads.
 */
package dev.damselfly.peer.cli.progress;

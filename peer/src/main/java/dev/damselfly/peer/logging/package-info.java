/**
 * Log output of the {@code damselfly} process: one line per event on stderr, secrets redacted
 * ({@link dev.damselfly.peer.logging.Redaction}), root level WARN by default and DEBUG with
 * {@code --verbose} ({@link dev.damselfly.peer.logging.LogLevels}). Set up in code when Logback starts
 * ({@link dev.damselfly.peer.logging.LogSetup}); {@code -Dlogback.configurationFile=FILE} replaces it.
 */
package dev.damselfly.peer.logging;

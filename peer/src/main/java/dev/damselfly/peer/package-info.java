/**
 * The {@code damselfly} command and node daemon: command-line interface, configuration and the
 * wiring of the inner modules (today {@code oci}). Sub-packages: {@code cli} (the picocli commands),
 * {@code units} (byte sizes as people write them), {@code logging} (one-line, redacted log output).
 */
package dev.damselfly.peer;

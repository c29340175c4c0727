/**
 * Quantities as people type and read them: byte sizes with binary and decimal units
 * ({@code 16MiB}, {@code 500MB}) and their human-readable rendering ({@code 12.3 MiB}).
 */
package dev.damselfly.peer.units;

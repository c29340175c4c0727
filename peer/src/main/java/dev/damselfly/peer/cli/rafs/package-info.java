/** {@code damselfly inspect} and {@code damselfly check}: RAFS (Nydus) bootstraps and their blobs, read with the rafs module. */
package dev.damselfly.peer.cli.rafs;

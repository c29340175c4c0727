/**
 * A real containerd daemon for client tests: its own root, state, socket and config under a
 * temporary directory, driven with {@code ctr}, and torn down with its mounts.
 */
package dev.damselfly.testkit.containerd;

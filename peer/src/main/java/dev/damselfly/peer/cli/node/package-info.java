/** The {@code node} verb (run the daemon) and the {@code get} verb (download a URL through the local node). */
package dev.damselfly.peer.cli.node;

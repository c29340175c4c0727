/**
 * {@code damselfly node}: the daemon that wires the piece store, the P2P exchange (upload servers and download
 * engine), the scheduler client (and the embedded scheduler when no scheduler is configured), the registry
 * mirror/proxy and the node's HTTP endpoints (health, metrics, admin) into one process, and stops them in order.
 */
package dev.damselfly.peer.node;

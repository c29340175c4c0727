/**
 * The node's Prometheus registry and the Dragonfly-compatible names on it (spec dragonfly.md §6), so existing
 * Dragonfly dashboards and alerts keep working against a Damselfly node.
 */
package dev.damselfly.peer.node.metrics;

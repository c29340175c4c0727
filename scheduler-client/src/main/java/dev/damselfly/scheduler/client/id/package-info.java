/**
 * Dragonfly identifiers computed exactly as the Rust dfdaemon does (spec §3.1-§3.4): task ids, host
 * and peer ids, the default piece length and the scheduler's size scope. Peers that compute these
 * differently never share a task, so every rule here is pinned by the spec's test vectors.
 */
package dev.damselfly.scheduler.client.id;

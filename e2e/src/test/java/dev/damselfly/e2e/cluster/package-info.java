/**
 * Cluster benchmarks and fault tests (issue 10): a registry, a scheduler and N {@code damselfly node}s, each in its
 * own Linux network namespace joined by veth pairs to one bridge, with {@code tc tbf} limits on both directions of
 * every host's link. The test JVM stays in the root namespace (the bridge has an address on the lab subnet); pulls
 * run inside each node's namespace, as containerd would. {@link dev.damselfly.e2e.cluster.NetworkLab} owns every
 * namespace, link and process it creates and removes them on close, from a shutdown hook, and at the next start.
 * Needs root, {@code ip}, {@code tc}, {@code curl}, {@code sha256sum} and {@code docker-registry}.
 */
package dev.damselfly.e2e.cluster;

/**
 * Cluster benchmarks and fault tests (issue 10): a registry, a scheduler and N {@code damselfly node}s, each in its
 * own Linux network namespace joined by veth pairs to one bridge, with {@code tc tbf} limits on both directions of
 * every host's link. The test JVM stays in the root namespace (the bridge has an address on the lab subnet); pulls
 * run inside each node's namespace, as containerd would. {@link dev.damselfly.e2e.cluster.NetworkLab} owns every
 * namespace, link, process and mount it creates and removes them on close, from a shutdown hook, and at the next
 * start. S5 ({@link dev.damselfly.e2e.cluster.LazyStart}) runs FUSE mounts with {@code nsenter --net} (the node's
 * network, the root mount namespace) on lab mount points, which the lab unmounts the same way.
 * Needs root, {@code ip}, {@code tc}, {@code curl}, {@code openssl} and {@code docker-registry}; S5 also
 * {@code nsenter}, {@code chroot}, {@code skopeo}, {@code umoci} and {@code /dev/fuse}.
 */
package dev.damselfly.e2e.cluster;

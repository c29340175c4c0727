/**
 * The mount's Micrometer meters ({@link dev.damselfly.rafsmount.metrics.MountMetrics}): FUSE read latency,
 * bytes read through FUSE, chunk bytes fetched per source kind, blob-cache hits and misses, chunk verification
 * failures and the blob cache's size. The registry comes from
 * {@link dev.damselfly.rafsmount.MountOptions#withMeterRegistry}; the node exposes it to Prometheus.
 */
package dev.damselfly.rafsmount.metrics;

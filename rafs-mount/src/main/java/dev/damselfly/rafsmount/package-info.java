/**
 * The lazy RAFS (Nydus) mount: {@link dev.damselfly.rafsmount.RafsMount#mount} puts a bootstrap's tree on a
 * FUSE mount point at once and fetches file data chunk by chunk on first read, through
 * {@link dev.damselfly.rafsmount.source.BlobSource}s the caller provides, verified against the bootstrap's
 * chunk digests and kept in an on-disk blob cache. Sub-packages: {@code source} (the seam), {@code cache},
 * {@code read} (the read path), {@code prefetch}, {@code metrics} (Micrometer meters, registry from
 * {@link dev.damselfly.rafsmount.MountOptions#withMeterRegistry}), {@code fuse} (the only users of jnr-fuse).
 */
package dev.damselfly.rafsmount;

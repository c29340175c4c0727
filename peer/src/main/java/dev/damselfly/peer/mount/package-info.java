/**
 * Wiring of the lazy mount to the outside world: Nydus images found in registries (the bootstrap layer) and
 * the {@code BlobSource} that reads their blobs with Range requests. The mount itself (rafs-mount) knows only
 * the seam.
 */
package dev.damselfly.peer.mount;

/**
 * The RAFS v6 builder. {@link dev.damselfly.rafs.build.LayerBuilder}: an OCI layer tar in, a per-layer bootstrap
 * and a Nydus data blob out. One streaming pass over the tar: file data is cut into chunks, hashed,
 * deduplicated and compressed straight into the blob; only metadata (the tree, one small record per chunk)
 * stays in memory. {@link dev.damselfly.rafs.build.LayerMerger}: {@code nydus-image merge} semantics, stacking
 * per-layer bootstraps (lowest first) into one image bootstrap with OCI whiteouts applied and one blob table
 * entry / EROFS device per layer.
 */
package dev.damselfly.rafs.build;

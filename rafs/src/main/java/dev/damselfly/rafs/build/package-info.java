/**
 * The RAFS v6 layer builder: an OCI layer tar in, a per-layer bootstrap and a Nydus data blob out
 * ({@link dev.damselfly.rafs.build.LayerBuilder}). One streaming pass over the tar: file data is cut into
 * chunks, hashed, deduplicated and compressed straight into the blob; only metadata (the tree, one small
 * record per chunk) stays in memory.
 */
package dev.damselfly.rafs.build;

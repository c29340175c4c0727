/**
 * The RAFS v6 builder. {@link dev.damselfly.rafs.build.LayerBuilder}: an OCI layer tar in, a per-layer bootstrap
 * and a Nydus data blob out. One streaming pass over the tar: file data is cut into chunks, hashed,
 * deduplicated and compressed straight into the blob; only metadata (the tree, one small record per chunk)
 * stays in memory. Options ({@link dev.damselfly.rafs.build.LayerBuildOptions}) add a prefetch table from a path
 * list ({@code PrefetchList}, nydus-image {@code --prefetch-policy fs}) and deduplication against a chunk
 * dictionary bootstrap ({@code ChunkDictionary}, {@code --chunk-dict}): chunks the dictionary has are referenced
 * in its blobs, which join the blob table before the layer's own ({@code DictionaryReferences}).
 * {@link dev.damselfly.rafs.build.LayerMerger}: {@code nydus-image merge} semantics, stacking per-layer
 * bootstraps (lowest first) into one image bootstrap with OCI whiteouts applied and one blob table entry / EROFS
 * device per layer, and an optional prefetch list matched against the merged tree.
 */
package dev.damselfly.rafs.build;

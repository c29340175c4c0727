/**
 * Human-readable renderings of an image for {@code damselfly inspect}/{@code check}-style output
 * ({@link dev.damselfly.rafs.inspect.RafsInspector}: superblock, blob table, prefetch table, tree listing,
 * content digests) and a cycle-safe depth-first tree walk ({@link dev.damselfly.rafs.inspect.TreeWalker}).
 */
package dev.damselfly.rafs.inspect;

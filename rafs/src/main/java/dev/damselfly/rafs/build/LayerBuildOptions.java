package dev.damselfly.rafs.build;

import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.nio.file.Path;
import java.util.List;

/**
 * How to build a layer.
 *
 * @param chunkSize     bytes per chunk: a power of two from 4 KiB to 16 MiB; default {@link #DEFAULT_CHUNK_SIZE} (1 MiB)
 * @param compression   chunk compression: {@link Compression#ZSTD} (default), {@link Compression#LZ4_BLOCK} or
 *                      {@link Compression#NONE}; a chunk that does not shrink is stored raw either way
 * @param digest        chunk digest: {@link DigestAlgorithm#BLAKE3} (default) or {@link DigestAlgorithm#SHA256}
 * @param aligned       kernel-mountable layout: chunks stored uncompressed at 4 KiB aligned blob offsets equal to
 *                      their uncompressed offsets, so the blob file itself is the EROFS extra device (spec §8);
 *                      requires {@link Compression#NONE}. Default false.
 * @param prefetchPaths the bootstrap's prefetch table (§1.6), as {@code nydus-image create --prefetch-policy fs}
 *                      with these lines on stdin: absolute paths of files or directories, in priority order. Lines
 *                      are trimmed; blank lines, relative paths and paths under an earlier one are dropped with a
 *                      warning; paths not in the layer are left out with a warning and listed in
 *                      {@link LayerBuildResult#prefetchMissing()} (nydus-image ignores them too: they may exist in
 *                      another layer). Default {@link #PREFETCH_ALL} ({@code ["/"]}: one root entry, "prefetch
 *                      everything", what nydusify writes); an empty list writes an empty table. A list that does
 *                      not name the root also decides the blob's layout: the new chunks of the files at or below
 *                      its paths are appended together after all other chunks.
 * @param chunkDict     a chunk dictionary: a RAFS v6 bootstrap (a parent layer's bootstrap, or a merged image
 *                      bootstrap) whose chunks are not written again: a chunk with the same digest and length is
 *                      referenced in the dictionary's blob at the dictionary's offsets, and each dictionary blob
 *                      used gets a blob table entry before the layer's own blob (as nydus-image
 *                      {@code --chunk-dict bootstrap=PATH}). It must share the chunk size and digest algorithm; in
 *                      aligned mode its chunks must be uncompressed and aligned too. Default null (none).
 * @param parentBootstrap a parent bootstrap (nydus-image {@code create --parent-bootstrap PATH}): a RAFS v6 image (or
 *                      layer) bootstrap the layer is applied on top of. The bootstrap written is then the parent's tree
 *                      with this layer applied (whiteouts and opaque directories, as {@link LayerMerger}), its blob
 *                      table the parent's blobs (ids kept) followed by this layer's blob, and its prefetch table is
 *                      resolved against that merged tree; chunks the parent already has are referenced, not stored
 *                      (the parent acts as a chunk dictionary too, before {@link #chunkDict()} if both are given). The
 *                      blob's inlined {@code image.boot} stays the layer alone (whiteouts verbatim, chunks pointing
 *                      into the parent's blobs). Same requirements as a dictionary. Default null (none).
 */
public record LayerBuildOptions(int chunkSize, Compression compression, DigestAlgorithm digest, boolean aligned,
                                List<String> prefetchPaths, Path chunkDict, Path parentBootstrap) {

    /** 1 MiB. */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** 4 KiB. */
    public static final int MIN_CHUNK_SIZE = 4096;
    /** 16 MiB. */
    public static final int MAX_CHUNK_SIZE = 16 << 20;
    /** The default prefetch list: the root alone, which nydusd reads as "prefetch everything". */
    public static final List<String> PREFETCH_ALL = List.of("/");

    /** Validates; throws {@link IllegalArgumentException}. */
    public LayerBuildOptions {
        if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw new IllegalArgumentException("chunk size " + chunkSize + " is not a power of two in [4 KiB, 16 MiB]");
        }
        if (compression == null || compression == Compression.GZIP) {
            throw new IllegalArgumentException("chunk compression must be zstd, lz4_block or none, not " + compression);
        }
        if (digest == null) {
            throw new IllegalArgumentException("digest algorithm missing");
        }
        if (aligned && compression != Compression.NONE) {
            throw new IllegalArgumentException("aligned (kernel-mountable) layers store chunks uncompressed; compression "
                    + compression + " was asked for");
        }
        if (prefetchPaths == null) {
            throw new IllegalArgumentException("prefetch path list missing (use PREFETCH_ALL for the default)");
        }
        prefetchPaths = List.copyOf(prefetchPaths); // rejects null elements
    }

    /** No parent bootstrap. */
    public LayerBuildOptions(int chunkSize, Compression compression, DigestAlgorithm digest, boolean aligned,
                             List<String> prefetchPaths, Path chunkDict) {
        this(chunkSize, compression, digest, aligned, prefetchPaths, chunkDict, null);
    }

    /** Default prefetch table ({@link #PREFETCH_ALL}) and no chunk dictionary. */
    public LayerBuildOptions(int chunkSize, Compression compression, DigestAlgorithm digest, boolean aligned) {
        this(chunkSize, compression, digest, aligned, PREFETCH_ALL, null, null);
    }

    /** 1 MiB chunks, zstd, BLAKE3, not aligned (the nydusify defaults). */
    public static LayerBuildOptions defaults() {
        return new LayerBuildOptions(DEFAULT_CHUNK_SIZE, Compression.ZSTD, DigestAlgorithm.BLAKE3, false);
    }

    /** The kernel-mountable variant of the defaults: 1 MiB chunks, uncompressed, BLAKE3, aligned. */
    public static LayerBuildOptions kernelMountable() {
        return new LayerBuildOptions(DEFAULT_CHUNK_SIZE, Compression.NONE, DigestAlgorithm.BLAKE3, true);
    }

    public LayerBuildOptions withChunkSize(int size) {
        return new LayerBuildOptions(size, compression, digest, aligned, prefetchPaths, chunkDict, parentBootstrap);
    }

    public LayerBuildOptions withCompression(Compression c) {
        return new LayerBuildOptions(chunkSize, c, digest, aligned, prefetchPaths, chunkDict, parentBootstrap);
    }

    public LayerBuildOptions withDigest(DigestAlgorithm d) {
        return new LayerBuildOptions(chunkSize, compression, d, aligned, prefetchPaths, chunkDict, parentBootstrap);
    }

    /** Aligned mode; turning it on also selects {@link Compression#NONE}. */
    public LayerBuildOptions withAligned(boolean a) {
        return new LayerBuildOptions(chunkSize, a ? Compression.NONE : compression, digest, a, prefetchPaths, chunkDict, parentBootstrap);
    }

    /** The prefetch table's paths (e.g. the lines of a {@code --prefetch-list} file); see {@link #prefetchPaths()}. */
    public LayerBuildOptions withPrefetchPaths(List<String> paths) {
        return new LayerBuildOptions(chunkSize, compression, digest, aligned, paths, chunkDict, parentBootstrap);
    }

    /** Deduplicate against the chunks of this bootstrap (null: none); see {@link #chunkDict()}. */
    public LayerBuildOptions withChunkDict(Path bootstrap) {
        return new LayerBuildOptions(chunkSize, compression, digest, aligned, prefetchPaths, bootstrap, parentBootstrap);
    }

    /** Apply the layer on top of this bootstrap (null: none); see {@link #parentBootstrap()}. */
    public LayerBuildOptions withParentBootstrap(Path bootstrap) {
        return new LayerBuildOptions(chunkSize, compression, digest, aligned, prefetchPaths, chunkDict, bootstrap);
    }

    /** The dictionary bootstraps to deduplicate against: the parent, then the chunk dictionary (each if set). */
    List<Path> dictionaries() {
        List<Path> out = new java.util.ArrayList<>();
        if (parentBootstrap != null) {
            out.add(parentBootstrap);
        }
        if (chunkDict != null) {
            out.add(chunkDict);
        }
        return out;
    }
}

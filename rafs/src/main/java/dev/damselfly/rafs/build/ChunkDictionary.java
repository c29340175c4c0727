package dev.damselfly.rafs.build;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.chunk.ChunkRecord;
import dev.damselfly.rafs.chunk.ChunkTable;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.v6.V6Image;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks of one or more dictionary bootstraps (nydus-image {@code --chunk-dict bootstrap=PATH}, and the parent
 * of {@code --parent-bootstrap}), keyed by (digest, uncompressed length), read once from their 80-byte chunk tables
 * (§1.12) and blob tables; the bootstraps are closed afterwards. Blobs of several bootstraps are combined by id
 * (first bootstrap first, each id once); the first chunk seen with a key wins. About 150 bytes of heap per distinct
 * chunk.
 */
final class ChunkDictionary {
    /** Blob features whose chunk records do not locate plain chunks; such blobs cannot serve as a dictionary. */
    private static final long UNUSABLE_FEATURES = BlobInfo.FEATURE_ZRAN | BlobInfo.FEATURE_SEPARATE
            | BlobInfo.FEATURE_TARFS | BlobInfo.FEATURE_BATCH | BlobInfo.FEATURE_ENCRYPTED;

    private final Path path;
    private final List<BlobInfo> blobs = new ArrayList<>();
    private final Map<String, Integer> blobById = new HashMap<>();
    private final List<ChunkRecord> records = new ArrayList<>();
    /** Combined blob index of each record in {@link #records}. */
    private final List<Integer> recordBlobs = new ArrayList<>();
    private final Map<ByteBuffer, Integer> byDigest = new HashMap<>();

    private ChunkDictionary(Path path) {
        this.path = path;
    }

    /**
     * Loads every bootstrap of {@code bootstraps} (in that order) into one dictionary for a build with {@code opts}.
     *
     * @throws ChunkDictException see {@link #load(Path, LayerBuildOptions)}, or their blobs together exceed 253
     */
    static ChunkDictionary load(List<Path> bootstraps, LayerBuildOptions opts) throws IOException {
        if (bootstraps.isEmpty()) {
            throw new IllegalArgumentException("no dictionary bootstrap");
        }
        ChunkDictionary d = new ChunkDictionary(bootstraps.get(0));
        for (Path p : bootstraps) {
            d.addBootstrap(p, opts);
        }
        return d;
    }

    /**
     * Loads {@code bootstrap} for a build with {@code opts}.
     *
     * @throws ChunkDictException it is not a RAFS v6 bootstrap with a chunk table, or its chunk size, digest or
     *                            blob kinds do not fit the build
     */
    static ChunkDictionary load(Path bootstrap, LayerBuildOptions opts) throws IOException {
        return load(List.of(bootstrap), opts);
    }

    private void addBootstrap(Path bootstrap, LayerBuildOptions opts) throws IOException {
        try (RafsImage img = RafsImages.open(bootstrap)) {
            if (!(img instanceof V6Image v6)) {
                throw new ChunkDictException(bootstrap, "not a RAFS v6 bootstrap (" + img.version() + ")");
            }
            if (v6.chunkSize() != opts.chunkSize()) {
                throw new ChunkDictException(bootstrap, "chunk size " + v6.chunkSize() + " differs from the build's "
                        + opts.chunkSize());
            }
            if (v6.digestAlgorithm() != opts.digest()) {
                throw new ChunkDictException(bootstrap, "chunk digest " + v6.digestAlgorithm() + " differs from the build's "
                        + opts.digest());
            }
            for (BlobInfo b : v6.blobs()) {
                if ((b.features() & UNUSABLE_FEATURES) != 0) {
                    throw new ChunkDictException(bootstrap, "blob " + b.blobId() + " has features 0x"
                            + Long.toHexString(b.features()) + " (zran, separate, tarfs, batch or encrypted chunks)");
                }
                if (!b.blobId().matches("[0-9a-f]{64}")) {
                    throw new ChunkDictException(bootstrap, "blob " + b.index() + " has no usable id '" + b.blobId() + "'");
                }
                if (opts.aligned() && b.compression() != Compression.NONE) {
                    throw new ChunkDictException(bootstrap, "blob " + b.blobId() + " is " + b.compression()
                            + "-compressed; an aligned (kernel-mountable) build needs an aligned dictionary");
                }
            }
            ChunkTable table = v6.chunkTable();
            if (table == null || table.size() == 0) {
                throw new ChunkDictException(bootstrap, "has no chunk table");
            }
            int[] combined = new int[v6.blobs().size()];
            for (int j = 0; j < combined.length; j++) {
                BlobInfo b = v6.blobs().get(j);
                Integer at = blobById.get(b.blobId());
                if (at == null) {
                    at = blobs.size();
                    if (at >= V6BootstrapWriter.MAX_BLOBS - 1) {
                        throw new ChunkDictException(bootstrap, "dictionary blobs leave no room for the layer's own");
                    }
                    blobs.add(b);
                    blobById.put(b.blobId(), at);
                }
                combined[j] = at;
            }
            for (int i = 0; i < table.size(); i++) {
                add(bootstrap, table.get(i), combined, opts);
            }
        }
    }

    private void add(Path bootstrap, ChunkRecord r, int[] combined, LayerBuildOptions opts) throws ChunkDictException {
        if (r.blobIndex() < 0 || r.blobIndex() >= combined.length) {
            throw new ChunkDictException(bootstrap, "chunk record names blob index " + r.blobIndex() + " of "
                    + combined.length);
        }
        if ((r.flags() & (ChunkRecord.FLAG_BATCH | ChunkRecord.FLAG_ENCRYPTED)) != 0) {
            return;
        }
        if (opts.aligned() && (r.compressed() || r.compressedOffset() != r.uncompressedOffset())) {
            throw new ChunkDictException(bootstrap, "chunk " + r.index() + " of blob " + r.blobIndex() + " is not stored "
                    + "uncompressed at its aligned offset; an aligned build needs an aligned dictionary");
        }
        if (r.uncompressedSize() <= 0 || r.uncompressedSize() > opts.chunkSize()) {
            throw new ChunkDictException(bootstrap, "chunk " + r.index() + " has size " + r.uncompressedSize());
        }
        ByteBuffer key = key(r.digest(), (int) r.uncompressedSize());
        if (!byDigest.containsKey(key)) {
            byDigest.put(key, records.size());
            records.add(r);
            recordBlobs.add(combined[(int) r.blobIndex()]);
        }
    }

    static ByteBuffer key(byte[] digest, int length) {
        return ByteBuffer.allocate(36).put(digest).putInt(length).flip();
    }

    /** Index of the dictionary chunk with this digest and length (see {@link #record}), or -1. */
    int find(ByteBuffer key) {
        Integer i = byDigest.get(key);
        return i == null ? -1 : i;
    }

    /** The chunk record number {@code i} (its own blob index is its bootstrap's: use {@link #blobOf}). */
    ChunkRecord record(int i) {
        return records.get(i);
    }

    /** Index in {@link #blobs()} of the blob holding chunk record number {@code i}. */
    int blobOf(int i) {
        return recordBlobs.get(i);
    }

    /** The dictionary's blobs (of all its bootstraps, each id once). */
    List<BlobInfo> blobs() {
        return blobs;
    }

    Path path() {
        return path;
    }
}

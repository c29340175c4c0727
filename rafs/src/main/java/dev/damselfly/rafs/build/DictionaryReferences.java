package dev.damselfly.rafs.build;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.chunk.ChunkRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * After a layer build against a {@link ChunkDictionary}: keeps the dictionary blobs that files use, in the
 * dictionary's order, as blob indexes {@code 0..n-1}, makes the layer's own blob index {@code n}, and rewrites
 * every regular file's chunk ids (own chunks ≥ 0, dictionary chunks {@code -1 - index}) into (blob index,
 * position in that blob's {@link ChunkList}) through {@link FsInode#chunkBlobs}. Dictionary chunks keep the
 * dictionary's chunk-info index, offsets, sizes, flags and CRC.
 */
final class DictionaryReferences {
    /** The dictionary blobs used, by new blob index. */
    final List<BlobInfo> blobs;
    /** Their referenced chunks, by new blob index. */
    final List<ChunkList> chunks;
    /** The layer's own blob index (= {@code blobs.size()}). */
    final int ownBlob;

    private DictionaryReferences(List<BlobInfo> blobs, List<ChunkList> chunks) {
        this.blobs = blobs;
        this.chunks = chunks;
        this.ownBlob = blobs.size();
    }

    static DictionaryReferences apply(FsNode root, ChunkDictionary dict) {
        List<FsInode> files = new ArrayList<>();
        collect(root, files, Collections.newSetFromMap(new IdentityHashMap<>()));
        TreeMap<Integer, Integer> newIndex = new TreeMap<>();
        for (FsInode in : files) {
            for (int id : in.chunks) {
                if (id < 0) {
                    newIndex.put(dict.blobOf(-1 - id), 0);
                }
            }
        }
        List<BlobInfo> blobs = new ArrayList<>();
        List<ChunkList> lists = new ArrayList<>();
        for (Map.Entry<Integer, Integer> e : newIndex.entrySet()) {
            e.setValue(blobs.size());
            blobs.add(dict.blobs().get(e.getKey()));
            lists.add(new ChunkList());
        }
        DictionaryReferences refs = new DictionaryReferences(List.copyOf(blobs), List.copyOf(lists));
        Map<Integer, Integer> position = new HashMap<>();
        for (FsInode in : files) {
            in.blob = refs.ownBlob;
            int[] where = null;
            for (int k = 0; k < in.chunks.length; k++) {
                int id = in.chunks[k];
                if (id >= 0) {
                    continue;
                }
                if (where == null) {
                    where = new int[in.chunks.length];
                    java.util.Arrays.fill(where, refs.ownBlob);
                }
                ChunkRecord r = dict.record(-1 - id);
                int blob = newIndex.get(dict.blobOf(-1 - id));
                Integer p = position.get(id);
                if (p == null) {
                    p = lists.get(blob).addRecord((int) r.index(), r.digest(), r.compressedOffset(),
                            (int) r.compressedSize(), r.uncompressedOffset(), (int) r.uncompressedSize(), (int) r.flags(),
                            (int) r.crc32(), r.fileOffset());
                    position.put(id, p);
                }
                where[k] = blob;
                in.chunks[k] = p;
            }
            in.chunkBlobs = where;
        }
        return refs;
    }

    private static void collect(FsNode dir, List<FsInode> files, Set<FsInode> seen) {
        for (FsNode c : dir.children.values()) {
            if (c.inode.isDir()) {
                collect(c, files, seen);
            } else if (c.inode.isReg() && seen.add(c.inode)) {
                files.add(c.inode);
            }
        }
    }
}

package dev.damselfly.rafs.build;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafs.chunk.ChunkRecord;
import dev.damselfly.rafs.chunk.ChunkTable;
import dev.damselfly.rafs.tar.TarXattr;
import dev.damselfly.rafs.v6.ChunkIndexEntry;
import dev.damselfly.rafs.v6.V6Image;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code nydus-image merge} semantics (§6.2, §1.15): stacks per-layer RAFS v6 bootstraps into one image
 * bootstrap. Trees are overlaid lowest first with the OCI whiteout rules: {@code .wh.NAME} removes NAME of the
 * lower layers, {@code .wh..wh..opq} in a directory drops every lower-layer child of it; whiteout files never
 * reach the result. A directory over a directory merges (the upper one's attributes win, the root's too);
 * anything else replaces the lower entry and its subtree. Hard links stay shared within their layer; link
 * counts are recomputed for the names left.
 *
 * <p>Blobs: a layer bootstrap's blob table ends with the layer's own blob (as our builder and
 * {@code nydus-image create} write it); entries before it are chunk-dictionary blobs (a layer built with
 * {@code --chunk-dict}) whose ids are kept. The own blob of layer i takes the id {@code blobIds.get(i)} (its
 * registry digest, §4.5). The merged blob table holds each distinct blob id once, in order of first appearance
 * walking the parent's table (if any) and then each layer's table in layer order, as nydus-image merge numbers
 * them; with layers built against a lower layer that gives one entry per layer in layer order. Blobs whose files
 * were all removed stay in the table (nydusd accepts unreferenced blobs). Every chunk is remapped to its blob's
 * merged index and keeps its chunk-info index; the chunk table holds one record per chunk still referenced. Each
 * blob entry keeps its compression, digest, sizes, chunk-info location and TOC and loses the INLINED_FS_META
 * feature.
 *
 * <p>A parent bootstrap ({@link #mergeOnto}, {@code nydus-image merge/create --parent-bootstrap}) is an image (or
 * layer) bootstrap placed below the layers with every blob keeping its id; its blobs come first.
 */
public final class LayerMerger {
    private static final byte[] OPAQUE = ".wh..wh..opq".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WHITEOUT_PREFIX = ".wh.".getBytes(StandardCharsets.UTF_8);
    private static final java.util.regex.Pattern BLOB_ID = java.util.regex.Pattern.compile("[0-9a-f]{64}");

    private LayerMerger() {
    }

    /** One bootstrap to stack: its image, and the id its own (last) blob takes (null: every blob keeps its id). */
    private record Input(V6Image image, String ownBlobId) {
    }

    /**
     * Stacks layer bootstraps (lowest first) into one image bootstrap.
     *
     * @param layerBootstraps per-layer RAFS v6 bootstraps, lowest layer first (at least one, at most 254); each blob
     *                        table ends with the layer's own blob, possibly after chunk-dictionary blobs
     * @param blobIds         {@code blobIds.get(i)}: the blob id of layer i's own blob (64 lower-case hex characters:
     *                        sha256 of the layer's blob = its registry digest); all distinct
     * @param out             where to write the image bootstrap (replaced if present)
     * @return what was written
     * @throws LayerMergeException a layer is not a RAFS v6 bootstrap, a dictionary blob has no usable id, a chunk
     *                             names a blob outside its table, more than 254 blobs result, or the layers disagree
     *                             on chunk size, digest algorithm or explicit uid/gid
     * @throws RafsException       a layer bootstrap is malformed
     * @throws IOException         reading or writing failed
     */
    public static MergeResult merge(List<Path> layerBootstraps, List<String> blobIds, Path out) throws IOException {
        return merge(layerBootstraps, blobIds, out, LayerBuildOptions.PREFETCH_ALL);
    }

    /**
     * {@link #merge(List, List, Path)} with the image bootstrap's prefetch table made from {@code prefetchPaths}
     * (matched against the merged tree), as {@code nydus-image merge --prefetch-policy fs} with these lines on
     * stdin; the rules are those of {@link LayerBuildOptions#prefetchPaths()} (relative or covered paths are
     * dropped, paths not in the merged tree are left out and reported in {@link MergeResult#prefetchMissing()}).
     * {@link LayerBuildOptions#PREFETCH_ALL} gives the usual single root entry; an empty list an empty table.
     */
    public static MergeResult merge(List<Path> layerBootstraps, List<String> blobIds, Path out,
                                    List<String> prefetchPaths) throws IOException {
        return mergeOnto(null, layerBootstraps, blobIds, out, prefetchPaths);
    }

    /**
     * {@link #merge(List, List, Path, List)} on top of {@code parent} (null: none): a RAFS v6 bootstrap (usually an
     * image bootstrap) that forms the lowest layer, every blob of it keeping its id and its place at the start of
     * the blob table ({@code nydus-image merge --parent-bootstrap}). {@code layerBootstraps} may then be empty.
     */
    public static MergeResult mergeOnto(Path parent, List<Path> layerBootstraps, List<String> blobIds, Path out,
                                        List<String> prefetchPaths) throws IOException {
        List<String> prefetch = List.copyOf(prefetchPaths);
        int inputs = layerBootstraps.size() + (parent == null ? 0 : 1);
        if (inputs == 0 || layerBootstraps.size() > V6BootstrapWriter.MAX_BLOBS) {
            throw new IllegalArgumentException(layerBootstraps.size() + " layers; 1 to "
                    + V6BootstrapWriter.MAX_BLOBS + " can be merged");
        }
        if (blobIds.size() != layerBootstraps.size()) {
            throw new IllegalArgumentException(blobIds.size() + " blob ids for " + layerBootstraps.size() + " layers");
        }
        Set<String> seen = new HashSet<>();
        for (String id : blobIds) {
            if (id == null || !BLOB_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("blob id '" + id + "' is not 64 lower-case hex characters");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException("blob id " + id + " given twice (nydusd rejects duplicate devices)");
            }
        }
        List<Input> opened = new ArrayList<>();
        try {
            if (parent != null) {
                opened.add(new Input(openV6(parent, 0), null));
            }
            for (int i = 0; i < layerBootstraps.size(); i++) {
                opened.add(new Input(openV6(layerBootstraps.get(i), opened.size()), blobIds.get(i)));
            }
            return mergeImages(opened, out, prefetch);
        } finally {
            for (Input in : opened) {
                in.image().close();
            }
        }
    }

    private static V6Image openV6(Path bootstrap, int layer) throws IOException {
        RafsImage img = RafsImages.open(bootstrap);
        if (!(img instanceof V6Image v6)) {
            img.close();
            throw new LayerMergeException(layer, bootstrap.toString(), "not a RAFS v6 bootstrap (" + img.version() + ")");
        }
        return v6;
    }

    /** The merged blob table being assembled: distinct ids in order of first appearance. */
    private static final class BlobTable {
        final List<V6BootstrapWriter.BlobEntry> entries = new ArrayList<>();
        final Map<String, Integer> byId = new HashMap<>();
        /** Per input: merged blob index of each of its blob table entries. */
        final List<int[]> toMerged = new ArrayList<>();
        /** Per input: its blob table index of each merged blob index it uses (reverse of {@link #toMerged}). */
        final List<Map<Integer, Integer>> toLocal = new ArrayList<>();
    }

    private static BlobTable blobTable(List<Input> inputs) throws LayerMergeException {
        BlobTable t = new BlobTable();
        for (int i = 0; i < inputs.size(); i++) {
            V6Image img = inputs.get(i).image();
            String own = inputs.get(i).ownBlobId();
            List<BlobInfo> blobs = img.blobs();
            if (blobs.isEmpty()) {
                throw new LayerMergeException(i, img.name(), "has no blob table entry");
            }
            int[] map = new int[blobs.size()];
            Map<Integer, Integer> reverse = new HashMap<>();
            for (int j = 0; j < blobs.size(); j++) {
                BlobInfo b = blobs.get(j);
                boolean isOwn = own != null && j == blobs.size() - 1;
                String id = isOwn ? own : b.blobId();
                if (!isOwn && !BLOB_ID.matcher(id).matches()) {
                    throw new LayerMergeException(i, img.name(), "blob " + j + " (" + (own == null ? "parent blob"
                            : "chunk-dictionary blob") + ") has no usable id '" + id + "'");
                }
                Integer merged = t.byId.get(id);
                if (merged == null) {
                    merged = t.entries.size();
                    if (merged >= V6BootstrapWriter.MAX_BLOBS) {
                        throw new LayerMergeException(i, img.name(), "the merged image would reference more than "
                                + V6BootstrapWriter.MAX_BLOBS + " blobs");
                    }
                    BlobDescriptor d = new BlobDescriptor(id, b.features() & ~BlobInfo.FEATURE_INLINED_FS_META,
                            b.compressedSize(), b.uncompressedSize(), b.ciCompressor(), b.ciOffset(), b.ciCompressedSize(),
                            b.ciUncompressedSize(), b.tocSize(), b.tocDigest());
                    t.entries.add(new V6BootstrapWriter.BlobEntry(d, b.chunkCount(), b.compression(), b.digestAlgorithm()));
                    t.byId.put(id, merged);
                }
                if (reverse.putIfAbsent(merged, j) != null) {
                    throw new LayerMergeException(i, img.name(), "blob id " + id + " appears twice in its blob table");
                }
                map[j] = merged;
            }
            t.toMerged.add(map);
            t.toLocal.add(reverse);
        }
        return t;
    }

    private static MergeResult mergeImages(List<Input> inputs, Path out, List<String> prefetchPaths) throws IOException {
        V6Image first = inputs.get(0).image();
        for (int i = 0; i < inputs.size(); i++) {
            V6Image img = inputs.get(i).image();
            if (img.chunkSize() != first.chunkSize()) {
                throw new LayerMergeException(i, img.name(), "chunk size " + img.chunkSize() + " differs from layer 0's "
                        + first.chunkSize() + "; all layers of an image must share it");
            }
            if (img.digestAlgorithm() != first.digestAlgorithm()) {
                throw new LayerMergeException(i, img.name(), "chunk digest " + img.digestAlgorithm()
                        + " differs from layer 0's " + first.digestAlgorithm());
            }
            if (img.explicitUidGid() != first.explicitUidGid()) {
                throw new LayerMergeException(i, img.name(), "explicit uid/gid flag differs from layer 0's");
            }
            if ((img.flags() & 0x200) != 0) {
                throw new LayerMergeException(i, img.name(), "tarfs-mode layers are not supported");
            }
        }
        BlobTable table = blobTable(inputs);
        FsNode root = null;
        for (int i = 0; i < inputs.size(); i++) {
            FsNode layerRoot = readLayer(inputs.get(i).image(), i, table.toMerged.get(i));
            if (root == null) {
                root = new FsNode(new byte[0], null, layerRoot.inode);
            }
            overlay(root, layerRoot);
        }
        List<ChunkList> chunkLists = resolveChunks(root, inputs, table);
        long algoFlags = first.compression().superblockFlag() | first.digestAlgorithm().superblockFlag();
        V6BootstrapWriter writer = new V6BootstrapWriter(root, chunkLists, (int) first.chunkSize(), algoFlags, true);
        PrefetchList.Resolved prefetch = PrefetchList.resolve(root, prefetchPaths);
        writer.prefetch(prefetch.inodes());
        byte[] bytes = writer.write(table.entries);
        Files.write(out, bytes);
        List<String> ids = table.entries.stream().map(e -> e.desc().blobId()).toList();
        return new MergeResult(out, writer.inodeCount(), table.entries.size(), bytes.length, prefetch.missing(), ids);
    }

    /** The layer's tree; regular files carry their CI indexes in {@link FsInode#chunks} until {@link #resolveChunks}. */
    private static FsNode readLayer(V6Image img, int layer, int[] blobMap) throws RafsException {
        Map<Long, FsInode> byNid = new HashMap<>();
        FsNode root = new FsNode(new byte[0], null, inode(img, img.rootHandle(), layer, blobMap));
        readDir(img, root, img.rootHandle(), layer, blobMap, byNid);
        return root;
    }

    private static void readDir(V6Image img, FsNode dir, long nid, int layer, int[] blobMap, Map<Long, FsInode> byNid)
            throws RafsException {
        for (DirEntry e : img.readDir(nid)) {
            FsInode in = byNid.get(e.handle());
            if (in == null) {
                in = inode(img, e.handle(), layer, blobMap);
                if (!in.isDir()) {
                    byNid.put(e.handle(), in);
                }
            }
            FsNode n = new FsNode(e.name(), dir, in);
            dir.children.put(n.name, n);
            if (in.isDir()) {
                readDir(img, n, e.handle(), layer, blobMap, byNid);
            }
        }
    }

    /**
     * One inode of layer {@code layer}; a regular file gets {@link FsInode#blob} = the layer, its chunks' CI indexes
     * in {@link FsInode#chunks} and their merged blob indexes in {@link FsInode#chunkBlobs}.
     */
    private static FsInode inode(V6Image img, long nid, int layer, int[] blobMap) throws RafsException {
        InodeAttributes a = img.stat(nid);
        FsInode in = new FsInode();
        in.mode = a.mode();
        in.uid = a.uid();
        in.gid = a.gid();
        in.mtimeSeconds = a.mtimeSeconds();
        in.rdev = a.rdev();
        in.size = a.size();
        List<Xattr> xs = img.xattrs(nid);
        if (!xs.isEmpty()) {
            List<TarXattr> t = new ArrayList<>(xs.size());
            for (Xattr x : xs) {
                t.add(new TarXattr(x.nameString(), x.value()));
            }
            in.xattrs = List.copyOf(t);
        }
        if (a.type() == FileType.SYMLINK) {
            in.target = img.readLink(nid);
        } else if (a.type() == FileType.REGULAR) {
            in.blob = layer;
            List<ChunkIndexEntry> idx = img.chunkIndexes(nid);
            in.chunks = new int[idx.size()];
            in.chunkBlobs = new int[idx.size()];
            for (int k = 0; k < idx.size(); k++) {
                ChunkIndexEntry c = idx.get(k);
                if (c.blkaddr() == ChunkIndexEntry.NULL_ADDR || c.blobIndex() < 0 || c.blobIndex() >= blobMap.length) {
                    throw new LayerMergeException(layer, img.name(), "inode nid " + nid + " chunk " + k
                            + " does not point into one of the layer's " + blobMap.length + " blobs (" + c + ")");
                }
                in.chunks[k] = (int) c.ciIndex();
                in.chunkBlobs[k] = blobMap[c.blobIndex()];
            }
        }
        return in;
    }

    /** Applies {@code layer} (a directory of an upper layer) onto {@code merged} (the same directory below). */
    private static void overlay(FsNode merged, FsNode layer) {
        merged.inode = layer.inode;
        if (layer.children.containsKey(OPAQUE)) {
            merged.children.clear();
        }
        for (FsNode c : layer.children.values()) {
            if (isWhiteout(c.name) && !Arrays.equals(c.name, OPAQUE)) {
                byte[] target = Arrays.copyOfRange(c.name, WHITEOUT_PREFIX.length, c.name.length);
                merged.children.remove(target);
            }
        }
        for (FsNode c : layer.children.values()) {
            if (isWhiteout(c.name)) {
                continue;
            }
            FsNode below = merged.children.get(c.name);
            if (c.inode.isDir()) {
                if (below == null || !below.inode.isDir()) {
                    below = new FsNode(c.name, merged, c.inode);
                    merged.children.put(below.name, below);
                }
                overlay(below, c);
            } else {
                merged.children.put(c.name, new FsNode(c.name, merged, c.inode));
            }
        }
    }

    /** {@code .wh.*}: a whiteout, the opaque marker, or another AUFS-style meta entry ({@code .wh..wh.*}). */
    private static boolean isWhiteout(byte[] name) {
        return name.length >= WHITEOUT_PREFIX.length
                && Arrays.equals(name, 0, WHITEOUT_PREFIX.length, WHITEOUT_PREFIX, 0, WHITEOUT_PREFIX.length);
    }

    /**
     * Recounts link counts and turns every regular file's CI indexes into positions in its (merged) blob's list of
     * the chunks still referenced, each carrying the 80-byte chunk record of the layer the file came from.
     */
    private static List<ChunkList> resolveChunks(FsNode root, List<Input> inputs, BlobTable table) throws RafsException {
        Map<FsInode, Integer> names = new IdentityHashMap<>();
        countNames(root, names);
        List<ChunkList> lists = new ArrayList<>();
        List<Map<Integer, Integer>> positions = new ArrayList<>();
        for (int i = 0; i < table.entries.size(); i++) {
            lists.add(new ChunkList());
            positions.add(new HashMap<>());
        }
        Set<FsInode> done = Collections.newSetFromMap(new IdentityHashMap<>());
        resolve(root, inputs, table, lists, positions, names, done);
        return lists;
    }

    private static void countNames(FsNode dir, Map<FsInode, Integer> names) {
        for (FsNode c : dir.children.values()) {
            if (c.inode.isDir()) {
                countNames(c, names);
            } else {
                names.merge(c.inode, 1, Integer::sum);
            }
        }
    }

    private static void resolve(FsNode dir, List<Input> inputs, BlobTable table, List<ChunkList> lists,
                                List<Map<Integer, Integer>> positions, Map<FsInode, Integer> names,
                                Set<FsInode> done) throws RafsException {
        for (FsNode c : dir.children.values()) {
            FsInode in = c.inode;
            if (in.isDir()) {
                resolve(c, inputs, table, lists, positions, names, done);
                continue;
            }
            if (!done.add(in)) {
                continue;
            }
            in.nlink = names.get(in);
            if (!in.isReg()) {
                continue;
            }
            V6Image img = inputs.get(in.blob).image();
            ChunkTable chunkTable = img.chunkTable();
            Map<Integer, Integer> local = table.toLocal.get(in.blob);
            for (int k = 0; k < in.chunks.length; k++) {
                int ci = in.chunks[k];
                int blob = in.chunkBlobs[k];
                Map<Integer, Integer> pos = positions.get(blob);
                Integer p = pos.get(ci);
                if (p == null) {
                    int layerBlob = local.get(blob);
                    ChunkRecord r = chunkTable == null ? null : chunkTable.find(layerBlob, ci);
                    if (r == null) {
                        throw new LayerMergeException(in.blob, img.name(), "no chunk record for blob " + layerBlob
                                + " CI index " + ci + " used by " + c.path());
                    }
                    p = lists.get(blob).addRecord(ci, r.digest(), r.compressedOffset(), (int) r.compressedSize(),
                            r.uncompressedOffset(), (int) r.uncompressedSize(), (int) r.flags(), (int) r.crc32(),
                            r.fileOffset());
                    pos.put(ci, p);
                }
                in.chunks[k] = p;
            }
            in.blob = in.chunkBlobs.length > 0 ? in.chunkBlobs[0] : 0;
        }
    }
}

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
 * <p>The blob table has one entry per layer, in layer order (blob index i = layer i), including layers
 * whose files were all removed (nydus drops unreferenced blobs and numbers the rest by first use; keeping the
 * layer order makes blob index = layer index and is accepted by nydusd). Every file keeps pointing at its
 * layer's blob and chunk-info index; the chunk table holds one record per chunk still referenced. Each blob
 * entry keeps the layer's compression, digest, sizes, chunk-info location and TOC, takes the id
 * {@code blobIds.get(i)} (§4.5), and loses the INLINED_FS_META feature.
 */
public final class LayerMerger {
    private static final byte[] OPAQUE = ".wh..wh..opq".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WHITEOUT_PREFIX = ".wh.".getBytes(StandardCharsets.UTF_8);

    private LayerMerger() {
    }

    /**
     * Stacks layer bootstraps (lowest first) into one image bootstrap.
     *
     * @param layerBootstraps per-layer RAFS v6 bootstraps with one blob each, lowest layer first (at least one,
     *                        at most 254)
     * @param blobIds         {@code blobIds.get(i)}: the blob id of layer i (64 lower-case hex characters: sha256 of
     *                        the layer's blob = its registry digest); all distinct
     * @param out             where to write the image bootstrap (replaced if present)
     * @return what was written
     * @throws LayerMergeException a layer is not a single-blob RAFS v6 bootstrap, or the layers disagree on chunk
     *                             size, digest algorithm or explicit uid/gid
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
        List<String> prefetch = List.copyOf(prefetchPaths);
        if (layerBootstraps.isEmpty() || layerBootstraps.size() > V6BootstrapWriter.MAX_BLOBS) {
            throw new IllegalArgumentException(layerBootstraps.size() + " layers; 1 to "
                    + V6BootstrapWriter.MAX_BLOBS + " can be merged");
        }
        if (blobIds.size() != layerBootstraps.size()) {
            throw new IllegalArgumentException(blobIds.size() + " blob ids for " + layerBootstraps.size() + " layers");
        }
        Set<String> seen = new HashSet<>();
        for (String id : blobIds) {
            if (id == null || !id.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("blob id '" + id + "' is not 64 lower-case hex characters");
            }
            if (!seen.add(id)) {
                throw new IllegalArgumentException("blob id " + id + " given twice (nydusd rejects duplicate devices)");
            }
        }
        List<V6Image> images = new ArrayList<>();
        try {
            for (int i = 0; i < layerBootstraps.size(); i++) {
                RafsImage img = RafsImages.open(layerBootstraps.get(i));
                if (!(img instanceof V6Image v6)) {
                    img.close();
                    throw new LayerMergeException(i, layerBootstraps.get(i).toString(), "not a RAFS v6 bootstrap ("
                            + img.version() + ")");
                }
                images.add(v6);
            }
            return mergeImages(images, blobIds, out, prefetch);
        } finally {
            for (V6Image img : images) {
                img.close();
            }
        }
    }

    private static MergeResult mergeImages(List<V6Image> images, List<String> blobIds, Path out, List<String> prefetchPaths)
            throws IOException {
        V6Image first = images.get(0);
        List<V6BootstrapWriter.BlobEntry> entries = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            V6Image img = images.get(i);
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
            if (img.blobs().size() != 1) {
                throw new LayerMergeException(i, img.name(), "has " + img.blobs().size()
                        + " blobs; a layer bootstrap must describe exactly its own blob");
            }
            BlobInfo b = img.blobs().get(0);
            BlobDescriptor d = new BlobDescriptor(blobIds.get(i), b.features() & ~BlobInfo.FEATURE_INLINED_FS_META,
                    b.compressedSize(), b.uncompressedSize(), b.ciCompressor(), b.ciOffset(), b.ciCompressedSize(),
                    b.ciUncompressedSize(), b.tocSize(), b.tocDigest());
            entries.add(new V6BootstrapWriter.BlobEntry(d, b.chunkCount(), b.compression(), b.digestAlgorithm()));
        }
        FsNode root = null;
        for (int i = 0; i < images.size(); i++) {
            FsNode layerRoot = readLayer(images.get(i), i);
            if (root == null) {
                root = new FsNode(new byte[0], null, layerRoot.inode);
            }
            overlay(root, layerRoot);
        }
        List<ChunkList> chunkLists = resolveChunks(root, images);
        long algoFlags = first.compression().superblockFlag() | first.digestAlgorithm().superblockFlag();
        V6BootstrapWriter writer = new V6BootstrapWriter(root, chunkLists, (int) first.chunkSize(), algoFlags, true);
        PrefetchList.Resolved prefetch = PrefetchList.resolve(root, prefetchPaths);
        writer.prefetch(prefetch.inodes());
        byte[] bytes = writer.write(entries);
        Files.write(out, bytes);
        return new MergeResult(out, writer.inodeCount(), entries.size(), bytes.length, prefetch.missing());
    }

    /** The layer's tree; regular files carry their CI indexes in {@link FsInode#chunks} until {@link #resolveChunks}. */
    private static FsNode readLayer(V6Image img, int layer) throws RafsException {
        Map<Long, FsInode> byNid = new HashMap<>();
        FsNode root = new FsNode(new byte[0], null, inode(img, img.rootHandle(), layer));
        readDir(img, root, img.rootHandle(), layer, byNid);
        return root;
    }

    private static void readDir(V6Image img, FsNode dir, long nid, int layer, Map<Long, FsInode> byNid)
            throws RafsException {
        for (DirEntry e : img.readDir(nid)) {
            FsInode in = byNid.get(e.handle());
            if (in == null) {
                in = inode(img, e.handle(), layer);
                if (!in.isDir()) {
                    byNid.put(e.handle(), in);
                }
            }
            FsNode n = new FsNode(e.name(), dir, in);
            dir.children.put(n.name, n);
            if (in.isDir()) {
                readDir(img, n, e.handle(), layer, byNid);
            }
        }
    }

    private static FsInode inode(V6Image img, long nid, int layer) throws RafsException {
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
            for (int k = 0; k < idx.size(); k++) {
                ChunkIndexEntry c = idx.get(k);
                if (c.blkaddr() == ChunkIndexEntry.NULL_ADDR || c.blobIndex() != 0) {
                    throw new LayerMergeException(layer, img.name(), "inode nid " + nid + " chunk " + k
                            + " does not point into the layer's own blob (" + c + ")");
                }
                in.chunks[k] = (int) c.ciIndex();
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
     * Recounts link counts and turns every regular file's CI indexes into positions in its blob's list of the
     * chunks still referenced, each carrying the layer's 80-byte chunk record.
     */
    private static List<ChunkList> resolveChunks(FsNode root, List<V6Image> images) throws RafsException {
        Map<FsInode, Integer> names = new IdentityHashMap<>();
        countNames(root, names);
        List<ChunkList> lists = new ArrayList<>();
        List<Map<Integer, Integer>> positions = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            lists.add(new ChunkList());
            positions.add(new HashMap<>());
        }
        Set<FsInode> done = Collections.newSetFromMap(new IdentityHashMap<>());
        resolve(root, images, lists, positions, names, done);
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

    private static void resolve(FsNode dir, List<V6Image> images, List<ChunkList> lists,
                                List<Map<Integer, Integer>> positions, Map<FsInode, Integer> names,
                                Set<FsInode> done) throws RafsException {
        for (FsNode c : dir.children.values()) {
            FsInode in = c.inode;
            if (in.isDir()) {
                resolve(c, images, lists, positions, names, done);
                continue;
            }
            if (!done.add(in)) {
                continue;
            }
            in.nlink = names.get(in);
            if (!in.isReg()) {
                continue;
            }
            V6Image img = images.get(in.blob);
            ChunkTable table = img.chunkTable();
            Map<Integer, Integer> pos = positions.get(in.blob);
            ChunkList list = lists.get(in.blob);
            for (int k = 0; k < in.chunks.length; k++) {
                int ci = in.chunks[k];
                Integer p = pos.get(ci);
                if (p == null) {
                    ChunkRecord r = table == null ? null : table.find(0, ci);
                    if (r == null) {
                        throw new LayerMergeException(in.blob, img.name(), "no chunk record for CI index " + ci
                                + " used by " + c.path());
                    }
                    p = list.addRecord(ci, r.digest(), r.compressedOffset(), (int) r.compressedSize(),
                            r.uncompressedOffset(), (int) r.uncompressedSize(), (int) r.flags(), (int) r.crc32(),
                            r.fileOffset());
                    pos.put(ci, p);
                }
                in.chunks[k] = p;
            }
        }
    }
}

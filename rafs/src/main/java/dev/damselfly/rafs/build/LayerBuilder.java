package dev.damselfly.rafs.build;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.Lz4;
import dev.damselfly.rafs.codec.NativeCodecPreload;
import dev.damselfly.rafs.tar.LayerTarEntry;
import dev.damselfly.rafs.tar.LayerTarReader;
import dev.damselfly.rafs.tar.FileChannelInputStream;
import dev.damselfly.rafs.tar.TarEntryKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * Builds one Nydus layer from an OCI layer tar in a single streaming pass: a RAFS v6 per-layer bootstrap
 * file and a Nydus data blob laid out as {@code nydus-image create --type tar-rafs --blob-inline-meta
 * --features blob-toc} does (§3.1): chunk data, {@code image.blob} header, chunk-info array + 4 KiB blob-meta
 * header, {@code blob.meta} header, chunk digest array, {@code blob.digest} header, the zstd-compressed
 * per-layer bootstrap, {@code image.boot} header, TOC entries, {@code rafs.blob.toc} header.
 *
 * <p>Memory: one chunk buffer (plus its compression buffer), the tree's metadata, ~100 bytes per distinct
 * chunk and 4 bytes per chunk reference; file data is never held whole (a 160 MiB file builds in a 32 MiB
 * heap). The bootstrap itself (metadata only) is assembled in memory.
 *
 * <p>Whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) are stored verbatim as empty regular files, as in
 * nydusify's per-layer bootstraps (§1.15); they take effect when layers are merged. Duplicate paths, absolute
 * or {@code ..} paths, and hard links that do not name an earlier regular file of the layer are errors.
 *
 * <p>With a chunk dictionary ({@link LayerBuildOptions#chunkDict()}) a chunk whose digest and length the
 * dictionary has is not written: the file points into the dictionary's blob at the dictionary's offsets, and the
 * dictionary blobs used come first in the blob table (the layer's own blob is last). The prefetch table comes from
 * {@link LayerBuildOptions#prefetchPaths()}; unless that list names the root (the default), the new chunks of the
 * files it names are laid out together after all other chunks, so that a mount prefetches them in a few large
 * reads (nydus-image, which reads a directory, puts them first; a stream can only put them last).
 *
 * <p>With a parent bootstrap ({@link LayerBuildOptions#parentBootstrap()}) the parent also serves as a dictionary,
 * and the bootstrap written is the parent with the layer applied ({@link LayerMerger#mergeOnto}): the parent's
 * blobs, then the layer's own; the blob's inlined bootstrap stays the layer alone.
 *
 * <p>Outputs are written to temporary files next to the targets and moved into place on success, so a
 * failed build leaves no partial files behind. Nothing is ever written anywhere else: tar entry paths only
 * name nodes of an in-memory tree.
 *
 * <p>Errors: {@link dev.damselfly.rafs.tar.TarEntryException} subclasses for bad tars (naming the entry and its
 * offset), {@link IOException} for I/O.
 */
public final class LayerBuilder {
    static final long FEATURES = BlobInfo.FEATURE_ALIGNED
            | BlobInfo.FEATURE_INLINED_FS_META
            | BlobInfo.FEATURE_INLINED_CHUNK_DIGEST
            | BlobInfo.FEATURE_HAS_TAR_HEADER
            | BlobInfo.FEATURE_HAS_TOC
            | BlobInfo.FEATURE_CAP_TAR_TOC;

    private final LayerBuildOptions opts;

    public LayerBuilder(LayerBuildOptions opts) {
        this.opts = opts;
    }

    /** The options every build of this builder uses. */
    public LayerBuildOptions options() {
        return opts;
    }

    /** A builder with {@link LayerBuildOptions#defaults()}. */
    public LayerBuilder() {
        this(LayerBuildOptions.defaults());
    }

    /** Builds from a tar file (plain, gzip or zstd). */
    public LayerBuildResult build(Path tar, Path bootstrapOut, Path blobOut) throws IOException {
        try (InputStream in = FileChannelInputStream.open(tar)) {
            return build(in, bootstrapOut, blobOut);
        }
    }

    /** Builds from a tar stream (plain, gzip or zstd; read up to the end-of-archive marker, not closed). */
    public LayerBuildResult build(InputStream tar, Path bootstrapOut, Path blobOut) throws IOException {
        return build(tar, bootstrapOut, blobOut, OutputStream.nullOutputStream());
    }

    /**
     * Builds from a tar stream and writes the blob only to {@code blob}, in order, as it is produced (to push it while
     * it is built; no blob file is written, and the result's {@link LayerBuildResult#blob()} is null). {@code blob} is
     * not closed; when it throws, the build fails with that exception and leaves no bootstrap.
     */
    public LayerBuildResult buildToStream(InputStream tar, Path bootstrapOut, OutputStream blob) throws IOException {
        return build(tar, bootstrapOut, null, blob);
    }

    /** {@code blobOut} null: the blob goes to {@code blobCopy} alone. */
    private LayerBuildResult build(InputStream tar, Path bootstrapOut, Path blobOut, OutputStream blobCopy)
            throws IOException {
        Path blobTmp = blobOut == null ? null : temp(blobOut);
        Path bootTmp = temp(bootstrapOut);
        Path mergedTmp = null;
        boolean ok = false;
        try {
            LayerBuildResult r = buildInto(tar, bootTmp, blobTmp, blobCopy);
            if (opts.parentBootstrap() != null) {
                mergedTmp = temp(bootstrapOut);
                MergeResult m = LayerMerger.mergeOnto(opts.parentBootstrap(), List.of(bootTmp), List.of(r.blobId()),
                        mergedTmp, opts.prefetchPaths());
                Files.move(mergedTmp, bootTmp, StandardCopyOption.REPLACE_EXISTING);
                r = new LayerBuildResult(bootTmp, blobTmp, r.blobId(), r.builderBlobId(), m.bytes(), r.blobSize(),
                        r.chunkDataSize(), r.uncompressedSize(), r.chunkCount(), r.chunkReferences(), m.inodeCount(),
                        r.tarCompression(), m.prefetchMissing(), r.dictionaryChunkReferences(), r.dictionaryBlobIds());
            }
            if (blobOut != null) {
                Files.move(blobTmp, blobOut, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(bootTmp, bootstrapOut, StandardCopyOption.REPLACE_EXISTING);
            ok = true;
            if (blobOut != null) {
                readableByAll(blobOut);
            }
            readableByAll(bootstrapOut);
            return new LayerBuildResult(bootstrapOut, blobOut, r.blobId(), r.builderBlobId(), r.bootstrapSize(),
                    r.blobSize(), r.chunkDataSize(), r.uncompressedSize(), r.chunkCount(), r.chunkReferences(),
                    r.inodeCount(), r.tarCompression(), r.prefetchMissing(), r.dictionaryChunkReferences(),
                    r.dictionaryBlobIds());
        } finally {
            if (!ok) {
                if (blobTmp != null) {
                    Files.deleteIfExists(blobTmp);
                }
                Files.deleteIfExists(bootTmp);
                if (mergedTmp != null) {
                    Files.deleteIfExists(mergedTmp);
                }
            }
        }
    }

    /** Temporary files are created 0600; the outputs are ordinary 0644 files. */
    private static void readableByAll(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
    }

    private static Path temp(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        return Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    }

    private LayerBuildResult buildInto(InputStream input, Path bootOut, Path blobOut, OutputStream blobCopy)
            throws IOException {
        NativeCodecPreload.start(); // zstd for the inlined bootstrap at the end, whatever the chunks' compression
        ChunkDictionary dict = opts.dictionaries().isEmpty() ? null : ChunkDictionary.load(opts.dictionaries(), opts);
        FsTree tree = new FsTree();
        LayerTarReader reader = LayerTarReader.open(nonClosing(input));
        String tarCompression = reader.compression().name().toLowerCase();
        try (BlobOutput out = new BlobOutput(blobOut, blobCopy)) {
            ChunkSink sink = new ChunkSink(out, opts, dict, bootOut.toAbsolutePath().getParent());
            Predicate<List<String>> layoutLast = PrefetchList.layoutMatcher(opts.prefetchPaths());
            try {
                for (LayerTarEntry e = reader.next(); e != null; e = reader.next()) {
                    FsNode n = tree.add(e);
                    if (e.kind() == TarEntryKind.REGULAR) {
                        n.inode.chunks = sink.writeFile(reader.content(), e.size(), e.rawName(), e.offset(),
                                layoutLast != null && layoutLast.test(e.path()));
                    }
                }
                sink.drain();
                sink.appendDeferred();
            } catch (IOException | RuntimeException e) {
                sink.abandon();
                throw e;
            }
            DictionaryReferences refs = dict == null ? null : DictionaryReferences.apply(tree.root(), dict);
            PrefetchList.Resolved prefetch = PrefetchList.resolve(tree.root(), opts.prefetchPaths());
            if (opts.aligned()) {
                out.padTo(4096);
            }
            long dataSize = out.position();
            TocBuilder toc = new TocBuilder();
            out.write(SectionHeader.of("image.blob", dataSize));
            toc.add(TocBuilder.FLAG_NONE, "image.blob", out.allDigestSoFar(), 0, dataSize, sink.uncompressedSize());

            byte[] ci = sink.chunkInfoV1();
            Compression ciComp = Compression.NONE;
            byte[] ciStored = ci;
            byte[] packed = compress(opts.compression(), ci);
            if (packed != null && packed.length < ci.length) {
                ciComp = opts.compression();
                ciStored = packed;
            }
            long ciOffset = out.position();
            out.write(ciStored);
            byte[] header = BlobMetaHeaderWriter.of(FEATURES, ciComp, sink.chunks().size(), ciOffset, ciStored.length, ci.length);
            out.write(header);
            out.write(SectionHeader.of("blob.meta", ciStored.length + (long) header.length));
            toc.add(tocFlag(ciComp), "blob.meta", BlobOutput.sha256().digest(ci), ciOffset, ciStored.length, ci.length);
            toc.add(TocBuilder.FLAG_NONE, "blob.meta.header", BlobOutput.sha256().digest(header),
                    ciOffset + ciStored.length, header.length, header.length);

            byte[] digests = sink.digestArray();
            long digestOffset = out.position();
            out.write(digests, 0, digests.length, false);
            out.write(SectionHeader.of("blob.digest", digests.length));
            toc.add(TocBuilder.FLAG_NONE, "blob.digest", BlobOutput.sha256().digest(digests), digestOffset,
                    digests.length, digests.length);

            String builderId = HexFormat.of().formatHex(out.builderDigestSoFar());
            BlobDescriptor desc = new BlobDescriptor(builderId, FEATURES, out.position(), sink.uncompressedSize(), ciComp,
                    ciOffset, ciStored.length, ci.length, 0, new byte[32]);
            List<ChunkList> chunkLists = new ArrayList<>();
            List<V6BootstrapWriter.BlobEntry> dictEntries = new ArrayList<>();
            if (refs != null) {
                chunkLists.addAll(refs.chunks);
                for (BlobInfo b : refs.blobs) {
                    dictEntries.add(dictionaryEntry(b));
                }
            }
            chunkLists.add(sink.chunks());
            V6BootstrapWriter writer = new V6BootstrapWriter(tree.root(), chunkLists, opts).prefetch(prefetch.inodes());
            byte[] inline = writer.write(entries(dictEntries, desc, sink));
            byte[] inlineZ = Zstd.compress(inline, 3);
            long bootOffset = out.position();
            out.write(inlineZ);
            out.write(SectionHeader.of("image.boot", inlineZ.length));
            toc.add(TocBuilder.FLAG_ZSTD, "image.boot", BlobOutput.sha256().digest(inline), bootOffset, inlineZ.length,
                    inline.length);

            byte[] entries = toc.bytes();
            byte[] tocHeader = SectionHeader.of("rafs.blob.toc", entries.length);
            out.write(entries);
            out.write(tocHeader);
            java.security.MessageDigest md = BlobOutput.sha256();
            md.update(entries);
            md.update(tocHeader);
            byte[] tocDigest = md.digest();
            long blobSize = out.position();
            String blobId = HexFormat.of().formatHex(out.allDigestSoFar());
            byte[] boot = writer.rewriteBlobs(inline, entries(dictEntries,
                    desc.withIdAndToc(blobId, entries.length + (long) tocHeader.length, tocDigest), sink));
            try (OutputStream file = BlobOutput.openEmpty(bootOut)) {
                file.write(boot);
            }
            List<String> dictIds = new ArrayList<>();
            dictEntries.forEach(e -> dictIds.add(e.desc().blobId()));
            return new LayerBuildResult(bootOut, blobOut, blobId, builderId, boot.length, blobSize, dataSize,
                    sink.uncompressedSize(), sink.chunks().size(), sink.references(), writer.inodeCount(), tarCompression,
                    prefetch.missing(), sink.dictionaryReferences(), List.copyOf(dictIds));
        }
    }

    /** The blob table: the dictionary blobs used, then the layer's own blob. */
    private List<V6BootstrapWriter.BlobEntry> entries(List<V6BootstrapWriter.BlobEntry> dict, BlobDescriptor own, ChunkSink sink) {
        List<V6BootstrapWriter.BlobEntry> all = new ArrayList<>(dict);
        all.add(new V6BootstrapWriter.BlobEntry(own, sink.chunks().size(), opts.compression(), opts.digest()));
        return all;
    }

    /** A dictionary blob's entry, copied from the dictionary's blob table. */
    private static V6BootstrapWriter.BlobEntry dictionaryEntry(BlobInfo b) {
        BlobDescriptor d = new BlobDescriptor(b.blobId(), b.features(), b.compressedSize(), b.uncompressedSize(),
                b.ciCompressor(), b.ciOffset(), b.ciCompressedSize(), b.ciUncompressedSize(), b.tocSize(), b.tocDigest());
        return new V6BootstrapWriter.BlobEntry(d, b.chunkCount(), b.compression(), b.digestAlgorithm());
    }

    private static int tocFlag(Compression c) {
        switch (c) {
            case ZSTD: return TocBuilder.FLAG_ZSTD;
            case LZ4_BLOCK: return TocBuilder.FLAG_LZ4;
            default: return TocBuilder.FLAG_NONE;
        }
    }

    /** {@code data} compressed with {@code c}, or null for {@link Compression#NONE}. */
    private static byte[] compress(Compression c, byte[] data) {
        if (data.length == 0) {
            return null;
        }
        if (c == Compression.ZSTD) {
            return Zstd.compress(data, 3);
        }
        if (c == Compression.LZ4_BLOCK) {
            return Lz4.factory().fastCompressor().compress(data);
        }
        return null;
    }

    private static InputStream nonClosing(InputStream in) {
        return new java.io.FilterInputStream(in) {
            @Override
            public void close() {
                // the caller owns the stream
            }
        };
    }
}

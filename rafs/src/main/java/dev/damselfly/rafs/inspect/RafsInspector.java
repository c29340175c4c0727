package dev.damselfly.rafs.inspect;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.blob.BlobByteSource;
import dev.damselfly.rafs.blob.BlobMetaHeader;
import dev.damselfly.rafs.blob.BlobMetadata;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.v5.V5BlobEntry;
import dev.damselfly.rafs.v5.V5Image;
import dev.damselfly.rafs.v5.V5Inode;
import dev.damselfly.rafs.v5.V5Superblock;
import dev.damselfly.rafs.v6.ChunkIndexEntry;
import dev.damselfly.rafs.v6.DeviceSlot;
import dev.damselfly.rafs.v6.ErofsSuperblock;
import dev.damselfly.rafs.v6.RafsV6ExtSuperblock;
import dev.damselfly.rafs.v6.V6Image;
import dev.damselfly.rafs.v6.V6Inode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.IntFunction;

/**
 * Renders an image as text: superblock(s), device slots, blob table, prefetch table, chunk table size, and
 * one line per tree entry (depth-first, sorted by name). RAFS v6 and v5 use the layout of the fixture
 * listings in {@code shared/fixtures/nydus/expected/}; plain EROFS images use the mkfs.erofs listing style.
 * When blob sources are given, every regular file is read, and its content SHA-256 and chunk digest check
 * are added to its line (v6 also prints each blob's blob-meta header).
 */
public final class RafsInspector {
    private final RafsImage image;
    private final IntFunction<BlobByteSource> blobs;

    /** Metadata only. */
    public RafsInspector(RafsImage image) {
        this(image, null);
    }

    /** With blob contents: {@code blobs} maps blob index → source, or null when a blob is not available. */
    public RafsInspector(RafsImage image, IntFunction<BlobByteSource> blobs) {
        this.image = image;
        this.blobs = blobs;
    }

    /** Renders the whole listing; {@code label} names the bootstrap in the first line (v6 style). */
    public String render(String label) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (image instanceof V6Image v6 && v6.extSuperblock() != null) {
            renderV6(v6, label, sb);
        } else if (image instanceof V6Image erofs) {
            renderErofs(erofs, sb);
        } else if (image instanceof V5Image v5) {
            renderV5(v5, sb);
        } else {
            throw new IllegalArgumentException("unknown image type " + image.getClass());
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- v6

    private void renderV6(V6Image img, String label, StringBuilder out) throws IOException {
        ErofsSuperblock sb = img.superblock();
        RafsV6ExtSuperblock ext = img.extSuperblock();
        out.append("bootstrap ").append(label).append(" size ").append(img.bootstrapSize()).append('\n');
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("magic", sb.magic());
        s.put("checksum", sb.checksum());
        s.put("feature_compat", sb.featureCompat());
        s.put("blkszbits", sb.blkszbits());
        s.put("extslots", sb.extslots());
        s.put("root_nid", sb.rootNid());
        s.put("inos", sb.inos());
        s.put("build_time", sb.buildTime());
        s.put("build_time_nsec", sb.buildTimeNsec());
        s.put("blocks", sb.blocks());
        s.put("meta_blkaddr", sb.metaBlkaddr());
        s.put("xattr_blkaddr", sb.xattrBlkaddr());
        s.put("feature_incompat", sb.featureIncompat());
        s.put("s_u", sb.union());
        s.put("extra_devices", sb.extraDevices());
        s.put("devt_slotoff", sb.devtSlotoff());
        out.append("superblock ").append(dict(s)).append('\n');
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("flags", hex(ext.flags()));
        e.put("blob_table_offset", ext.blobTableOffset());
        e.put("blob_table_size", ext.blobTableSize());
        e.put("chunk_size", ext.chunkSize());
        e.put("chunk_table_offset", ext.chunkTableOffset());
        e.put("chunk_table_size", ext.chunkTableSize());
        e.put("prefetch_table_offset", ext.prefetchTableOffset());
        e.put("prefetch_table_size", ext.prefetchTableSize());
        out.append("ext ").append(dict(e)).append('\n');
        List<String> devs = new ArrayList<>();
        for (DeviceSlot d : img.devices()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tag", d.tag());
            m.put("blocks", d.blocks());
            m.put("mapped_blkaddr", d.mappedBlkaddr());
            devs.add(dict(m));
        }
        out.append("devices [").append(String.join(", ", devs)).append("]\n");
        for (BlobInfo b : img.blobs()) {
            out.append("blob ").append(dict(blobFields(b))).append('\n');
        }
        out.append("prefetch ").append(img.prefetchHandles()).append('\n');
        out.append("chunk table entries ").append(img.chunkTable().size()).append('\n');
        if (blobs != null) {
            for (BlobInfo b : img.blobs()) {
                BlobByteSource src = blobs.apply(b.index());
                if (src != null) {
                    BlobMetaHeader h = BlobMetadata.read(b, src).header();
                    out.append(String.format("blob meta header: magic %x features %x ci_comp %d entries %d ci_off %d csz %d usz %d "
                            + "zran_off %d zran_size %d zran_count %d%n", h.magic(), h.features(), h.ciCompressor(),
                            h.ciEntries(), h.ciOffset(), h.ciCompressedSize(), h.ciUncompressedSize(), h.ciZranOffset(),
                            h.ciZranSize(), h.ciZranCount()));
                }
            }
        }
        FileContentReader reader = blobs == null ? null : new FileContentReader(img, blobs, true);
        TreeWalker.walk(img, (path, depth, a) -> {
            V6Inode in = img.inode(a.handle());
            out.append(typeChar(a.type())).append(String.format("%04o", a.permissions()))
                    .append(" nid=").append(a.handle()).append(" ino=").append(a.ino())
                    .append(" nlink=").append(a.nlink()).append(" uid=").append(a.uid()).append(" gid=").append(a.gid())
                    .append(" size=").append(a.size())
                    .append(" mtime=").append(a.mtimeSeconds()).append('.').append(String.format("%09d", a.mtimeNanos()))
                    .append(" fmt=0x").append(Integer.toHexString(in.format())).append(" layout=").append(in.layout())
                    .append(' ').append(path);
            if (a.type() == FileType.SYMLINK) {
                out.append(" -> ").append(new String(img.readLink(a.handle()), StandardCharsets.UTF_8));
            }
            if (a.type() == FileType.REGULAR && a.size() > 0) {
                StringJoiner j = new StringJoiner(", ", "[", "]");
                for (ChunkIndexEntry c : img.chunkIndexes(a.handle())) {
                    j.add("(" + c.blobIndex() + ", " + c.ciIndex() + ", " + c.blkaddr() + ")");
                }
                out.append(" chunkfmt=0x").append(Long.toHexString(in.iu() & 0xFFFF)).append(" chunks=").append(j);
                ContentCheck cc = check(reader, a);
                if (cc != null) {
                    out.append(" sha256=").append(cc.sha256()).append(" digest_ok=").append(py(cc.digestOk()))
                            .append(" len_ok=").append(py(cc.lengthOk()));
                }
            }
            out.append('\n');
        });
    }

    private static Map<String, Object> blobFields(BlobInfo b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("blob_id", b.blobId());
        m.put("blob_index", b.index());
        m.put("chunk_size", b.chunkSize());
        m.put("chunk_count", b.chunkCount());
        m.put("compression_algo", b.compression().code());
        m.put("digest_algo", b.digestAlgorithm().code());
        m.put("features", hex(b.features()));
        m.put("compressed_size", b.compressedSize());
        m.put("uncompressed_size", b.uncompressedSize());
        m.put("blob_toc_size", b.tocSize());
        m.put("ci_compressor", b.ciCompressor().code());
        m.put("ci_offset", b.ciOffset());
        m.put("ci_compressed_size", b.ciCompressedSize());
        m.put("ci_uncompressed_size", b.ciUncompressedSize());
        m.put("blob_toc_digest", HexFormat.of().formatHex(b.tocDigest()));
        m.put("blob_meta_digest", HexFormat.of().formatHex(b.metaDigest()));
        m.put("blob_meta_size", b.metaSize());
        byte[] iv = new byte[8];
        for (int i = 0; i < 8; i++) {
            iv[i] = (byte) (b.cipherIv() >>> (8 * i));
        }
        m.put("cipher_iv", HexFormat.of().formatHex(iv));
        m.put("cipher_algo", b.cipherAlgo());
        return m;
    }

    private ContentCheck check(FileContentReader reader, InodeAttributes a) throws RafsException {
        if (reader == null) {
            return null;
        }
        for (ChunkRef c : image.chunks(a.handle())) {
            if (blobs.apply(c.blobIndex()) == null) {
                return null;
            }
        }
        try {
            return ContentCheck.of(image, reader, a.handle());
        } catch (RafsException e) {
            throw e;
        } catch (IOException e) {
            throw new RafsException("reading " + a.handle() + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- plain EROFS

    private void renderErofs(V6Image img, StringBuilder out) throws IOException {
        ErofsSuperblock sb = img.superblock();
        out.append("compat=").append(hex(sb.featureCompat())).append(" incompat=").append(hex(sb.featureIncompat()))
                .append(" checksum=").append(hex(sb.checksum())).append(" root_nid=").append(sb.rootNid())
                .append(" meta_blkaddr=").append(sb.metaBlkaddr()).append(" devt_slotoff=").append(sb.devtSlotoff())
                .append(" extra_devices=").append(sb.extraDevices()).append(" build_time=").append(sb.buildTime()).append('\n');
        FileContentReader reader = blobs == null ? null : new FileContentReader(img, blobs, true);
        TreeWalker.walk(img, (path, depth, a) -> {
            V6Inode in = img.inode(a.handle());
            out.append(path).append(" mode=").append(Integer.toOctalString(a.mode())).append(" nid=").append(a.handle())
                    .append(" fmt=0x").append(Integer.toHexString(in.format())).append(" layout=").append(in.layout())
                    .append(" size=").append(a.size()).append(" nlink=").append(a.nlink());
            if (a.type() == FileType.SYMLINK) {
                out.append(" -> ").append(new String(img.readLink(a.handle()), StandardCharsets.UTF_8));
            }
            if (a.type() == FileType.REGULAR) {
                if (in.layout() == V6Inode.LAYOUT_CHUNK_BASED) {
                    StringJoiner j = new StringJoiner(", ", "[", "]");
                    for (ChunkIndexEntry c : img.chunkIndexes(a.handle())) {
                        j.add("(" + c.advise() + ", " + c.deviceId() + ", " + c.blkaddr() + ")");
                    }
                    out.append(" chunkbits=").append(sb.blkszbits() + (in.iu() & 0x1F)).append(" idx=").append(j);
                }
                ContentCheck cc = check(reader, a);
                if (cc != null) {
                    out.append(" sha256=").append(cc.sha256());
                }
            }
            out.append('\n');
        });
    }

    // ---------------------------------------------------------------- v5

    private void renderV5(V5Image img, StringBuilder out) throws IOException {
        V5Superblock sb = img.superblock();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("magic", hex(sb.magic()));
        s.put("version", hex(sb.version()));
        s.put("sb_size", sb.sbSize());
        s.put("block_size", sb.blockSize());
        s.put("flags", hex(sb.flags()));
        s.put("inodes_count", sb.inodesCount());
        s.put("inode_table_offset", sb.inodeTableOffset());
        s.put("prefetch_table_offset", sb.prefetchTableOffset());
        s.put("blob_table_offset", sb.blobTableOffset());
        s.put("inode_table_entries", sb.inodeTableEntries());
        s.put("prefetch_table_entries", sb.prefetchTableEntries());
        s.put("blob_table_size", sb.blobTableSize());
        s.put("ext_blob_entries", sb.extBlobTableEntries());
        s.put("ext_blob_offset", sb.extBlobTableOffset());
        out.append("v5 superblock ").append(dict(s)).append('\n');
        List<String> bl = new ArrayList<>();
        List<String> ex = new ArrayList<>();
        for (V5BlobEntry b : img.blobEntries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("readahead_offset", b.readaheadOffset());
            m.put("readahead_size", b.readaheadSize());
            m.put("blob_id", b.blobId());
            bl.add(dict(m));
            if (ex.size() < sb.extBlobTableEntries()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("chunk_count", b.chunkCount());
                x.put("features", hex(b.features()));
                x.put("uncompressed_size", b.uncompressedSize());
                x.put("compressed_size", b.compressedSize());
                ex.add(dict(x));
            }
        }
        out.append("blobs [").append(String.join(", ", bl)).append("] ext [").append(String.join(", ", ex)).append("]\n");
        out.append("prefetch ").append(img.prefetchHandles()).append('\n');
        FileContentReader reader = blobs == null ? null : new FileContentReader(img, blobs, true);
        TreeWalker.walk(img, (path, depth, a) -> {
            V5Inode in = img.inode(a.handle());
            out.append("  ".repeat(depth)).append(path).append(' ').append(Integer.toOctalString(a.mode()))
                    .append(" ino=").append(a.ino()).append(" nlink=").append(a.nlink()).append(" uid=").append(a.uid())
                    .append(" gid=").append(a.gid()).append(" size=").append(a.size())
                    .append(" flags=").append(hex(in.flags())).append(' ');
            if (a.type() == FileType.SYMLINK) {
                out.append(new String(img.readLink(a.handle()), StandardCharsets.UTF_8));
            }
            if (a.type() == FileType.REGULAR) {
                ContentCheck cc = check(reader, a);
                if (cc != null) {
                    out.append(" chunks=").append(cc.chunks()).append(" digest_ok=").append(py(cc.digestOk() && cc.lengthOk()))
                            .append(" sha256=").append(cc.sha256());
                }
            }
            out.append('\n');
        });
    }

    // ---------------------------------------------------------------- helpers

    private static char typeChar(FileType t) {
        switch (t) {
            case DIRECTORY: return 'd';
            case SYMLINK: return 'l';
            case CHAR_DEVICE: return 'c';
            case BLOCK_DEVICE: return 'b';
            case FIFO: return 'p';
            case SOCKET: return 's';
            case REGULAR: return '-';
            default: return '?';
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String py(boolean b) {
        return b ? "True" : "False";
    }

    /** Python-dict-like rendering: strings quoted with single quotes, numbers bare. */
    static String dict(Map<String, Object> m) {
        StringJoiner j = new StringJoiner(", ", "{", "}");
        for (Map.Entry<String, Object> e : m.entrySet()) {
            Object v = e.getValue();
            j.add("'" + e.getKey() + "': " + (v instanceof String str ? "'" + str + "'" : String.valueOf(v)));
        }
        return j.toString();
    }
}

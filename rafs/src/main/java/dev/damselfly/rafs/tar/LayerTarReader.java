package dev.damselfly.rafs.tar;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Streams the entries of an OCI layer tar, plain or gzip/zstd compressed (detected by magic bytes). Call
 * {@link #next()} until it returns null; {@link #content()} streams the current regular file's bytes. Nothing
 * is buffered beyond the decompressor's window and one tar record.
 */
public final class LayerTarReader implements Closeable {
    /** The PAX record prefix carrying extended attributes. */
    public static final String XATTR_PAX_PREFIX = "SCHILY.xattr.";

    /** The PAX record prefix carrying base64 extended attributes (libarchive, bsdtar). */
    public static final String LIBARCHIVE_XATTR_PAX_PREFIX = "LIBARCHIVE.xattr.";

    private final TarArchiveInputStream tar;
    private final HeaderCaptureStream headers;
    private final InputStream raw;
    private final LayerCompression compression;
    /** PAX global ({@code g}) records seen so far, raw values. */
    private final Map<String, byte[]> globalPax = new HashMap<>();
    private TarArchiveEntry current;

    private LayerTarReader(InputStream raw, InputStream decoded, LayerCompression compression) {
        this.raw = raw;
        this.headers = new HeaderCaptureStream(decoded);
        this.tar = new TarArchiveInputStream(headers, StandardCharsets.UTF_8.name());
        this.compression = compression;
    }

    /** How a layer's tar is wrapped. */
    public enum LayerCompression {
        /** Plain tar. */
        NONE,
        /** gzip ({@code 1F 8B}). */
        GZIP,
        /** zstd ({@code 28 B5 2F FD}). */
        ZSTD
    }

    /** Opens {@code in} (not closed until {@link #close()}), detecting its compression. */
    public static LayerTarReader open(InputStream in) throws IOException {
        // a stream that can mark is buffered already (a mapped file, an array, a BufferedInputStream)
        InputStream b = in.markSupported() ? in : new BufferedInputStream(in, 64 * 1024);
        b.mark(4);
        byte[] magic = b.readNBytes(4);
        b.reset();
        try {
            if (magic.length >= 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B) {
                return new LayerTarReader(b, new BufferedInputStream(new GZIPInputStream(b, 64 * 1024), 64 * 1024), LayerCompression.GZIP);
            }
            if (magic.length == 4 && (magic[0] & 0xFF) == 0x28 && (magic[1] & 0xFF) == 0xB5 && (magic[2] & 0xFF) == 0x2F
                    && (magic[3] & 0xFF) == 0xFD) {
                return new LayerTarReader(b, new BufferedInputStream(new ZstdInputStream(b), 64 * 1024), LayerCompression.ZSTD);
            }
        } catch (IOException e) {
            throw new CorruptTarException(null, 0, "bad compressed stream header: " + e.getMessage(), e);
        }
        return new LayerTarReader(b, b, LayerCompression.NONE);
    }

    /** The compression detected. */
    public LayerCompression compression() {
        return compression;
    }

    /** The next entry, or null at the end of the archive. */
    public LayerTarEntry next() throws IOException {
        long offset = tar.getBytesRead();
        TarArchiveEntry e;
        try {
            e = tar.getNextEntry();
        } catch (IOException | RuntimeException ex) {
            if (ex instanceof TarEntryException t) {
                throw t;
            }
            throw new CorruptTarException(current == null ? null : current.getName(), offset,
                    "cannot read the next tar header: " + ex.getMessage(), ex);
        }
        current = e;
        if (e == null) {
            // Commons Compress ends the archive quietly at a header cut short; a complete end has a whole zero record
            byte[] tail = headers.captured();
            if (tail != null && tail.length > 0 && tail.length < 512) {
                throw new CorruptTarException(null, headers.captureStart(), "the tar ends " + tail.length
                        + " bytes into a 512-byte header record: truncated", null);
            }
            return null;
        }
        byte[] chain = headers.captured();
        long headerStart = headers.captureStart();
        headers.captureFrom(headers.position() + (Math.max(0, e.getSize()) + 511) / 512 * 512);
        List<TarXattr> xattrs = xattrs(e, chain, headerStart);
        String name = e.getName();
        TarEntryKind kind = kind(e, offset);
        List<String> path = TarPaths.normalise(name, name, offset);
        String link = null;
        if (kind == TarEntryKind.SYMLINK) {
            link = e.getLinkName();
            if (link.isEmpty()) {
                throw new UnsupportedTarEntryException(name, offset, "symlink with an empty target");
            }
            if (link.getBytes(StandardCharsets.UTF_8).length >= 4096) {
                throw new UnsupportedTarEntryException(name, offset, "symlink target of 4096 bytes or more");
            }
        } else if (kind == TarEntryKind.HARD_LINK) {
            String target = e.getLinkName();
            if (target.startsWith("/")) {
                throw new UnsafeTarPathException(name, offset, "hard link to absolute path '" + target + "'");
            }
            List<String> t = TarPaths.normalise(target, name, offset);
            if (t.isEmpty()) {
                throw new UnsafeTarPathException(name, offset, "hard link to the layer root");
            }
            link = String.join("/", t);
        }
        if (e.getSize() < 0 || (kind != TarEntryKind.REGULAR && e.getSize() != 0 && kind != TarEntryKind.HARD_LINK)) {
            throw new UnsupportedTarEntryException(name, offset, "size " + e.getSize() + " for a " + kind);
        }
        long uid = e.getLongUserId();
        long gid = e.getLongGroupId();
        if (uid < 0 || uid > 0xFFFFFFFFL || gid < 0 || gid > 0xFFFFFFFFL) {
            throw new UnsupportedTarEntryException(name, offset, "uid/gid " + uid + "/" + gid + " out of the 32-bit range");
        }
        long mtime = e.getLastModifiedTime() == null ? 0 : e.getLastModifiedTime().toInstant().getEpochSecond();
        int major = 0;
        int minor = 0;
        if (kind == TarEntryKind.CHAR_DEVICE || kind == TarEntryKind.BLOCK_DEVICE) {
            major = e.getDevMajor();
            minor = e.getDevMinor();
            if (major < 0 || major > 0xFFF || minor < 0 || minor > 0xFFFFF) {
                throw new UnsupportedTarEntryException(name, offset, "device " + major + "," + minor + " out of range");
            }
        }
        return new LayerTarEntry(name, offset, path, kind, e.getMode() & 07777, uid, gid, mtime,
                kind == TarEntryKind.REGULAR ? e.getSize() : 0, link, major, minor, xattrs);
    }

    /** The current regular file's content; reads end at the end of the entry. Not to be closed. */
    public InputStream content() {
        return tar;
    }

    private static TarEntryKind kind(TarArchiveEntry e, long offset) throws TarEntryException {
        if (e.isGNUSparse() || e.isOldGNUSparse() || e.isPaxGNUSparse() || e.isStarSparse()) {
            throw new UnsupportedTarEntryException(e.getName(), offset, "sparse files are not supported");
        }
        if (e.isDirectory()) {
            return TarEntryKind.DIRECTORY;
        }
        if (e.isSymbolicLink()) {
            return TarEntryKind.SYMLINK;
        }
        if (e.isLink()) {
            return TarEntryKind.HARD_LINK;
        }
        if (e.isCharacterDevice()) {
            return TarEntryKind.CHAR_DEVICE;
        }
        if (e.isBlockDevice()) {
            return TarEntryKind.BLOCK_DEVICE;
        }
        if (e.isFIFO()) {
            return TarEntryKind.FIFO;
        }
        byte flag = e.getLinkFlag();
        if (flag == '0' || flag == 0 || flag == '7') {
            return TarEntryKind.REGULAR;
        }
        throw new UnsupportedTarEntryException(e.getName(), offset, "unsupported tar typeflag '" + (char) flag + "'");
    }

    /**
     * The entry's extended attributes with their exact value bytes, from the raw PAX records of its header chain
     * (Commons Compress's own map holds UTF-8-decoded strings, which mangles binary values such as
     * {@code security.capability}). The attribute names must match what Commons Compress saw, else the entry is
     * refused rather than built with wrong values.
     */
    private List<TarXattr> xattrs(TarArchiveEntry e, byte[] chain, long headerStart) throws TarEntryException {
        PaxHeaderChain parsed = PaxHeaderChain.parse(chain, globalPax);
        Set<String> expected = new TreeSet<>();
        for (String k : e.getExtraPaxHeaders().keySet()) {
            if (PaxXattrs.isXattrKey(k)) {
                expected.add(k);
            }
        }
        if (parsed == null) {
            if (expected.isEmpty()) {
                return List.of();
            }
            throw new CorruptTarException(e.getName(), headerStart, "cannot recover the raw bytes of its PAX xattr records "
                    + "(header chain of " + (chain == null ? "more than " + HeaderCaptureStream.MAX_CAPTURE : chain.length)
                    + " bytes is not well formed)", null);
        }
        expected.removeAll(parsed.deleted);
        Set<String> found = new TreeSet<>();
        for (String k : parsed.records.keySet()) {
            if (PaxXattrs.isXattrKey(k)) {
                found.add(k);
            }
        }
        if (!found.equals(expected)) {
            throw new CorruptTarException(e.getName(), headerStart, "PAX xattr records " + found
                    + " do not match what the tar library decoded " + expected, null);
        }
        try {
            return PaxXattrs.of(parsed.records);
        } catch (IllegalArgumentException ex) {
            throw new CorruptTarException(e.getName(), headerStart, "bad LIBARCHIVE.xattr record: " + ex.getMessage(), ex);
        }
    }

    @Override
    public void close() throws IOException {
        tar.close();
        raw.close();
    }
}

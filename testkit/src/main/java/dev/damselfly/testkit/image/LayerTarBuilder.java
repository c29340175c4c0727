package dev.damselfly.testkit.image;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes an uncompressed POSIX tar layer from {@link TarEntrySpec}s with Apache Commons Compress:
 * PAX headers for long names and link targets (&gt; 100 bytes), non-ASCII names, big numbers and
 * {@code SCHILY.xattr.*}. Output is deterministic: entries are sorted by path (byte order of the
 * UTF-16 string, parents before children), except that a hard link is held back until its target
 * has been written; times, owners and modes come only from the specs.
 */
public final class LayerTarBuilder {

    private static final int COPY_BUFFER = 64 * 1024;

    private final Map<String, TarEntrySpec> entries = new LinkedHashMap<>();

    private LayerTarBuilder() {
    }

    /** @return an empty builder */
    public static LayerTarBuilder create() {
        return new LayerTarBuilder();
    }

    /**
     * @param spec an entry; its path must not be used yet
     * @return this
     * @throws IllegalArgumentException on a duplicate path
     */
    public LayerTarBuilder add(TarEntrySpec spec) {
        if (entries.putIfAbsent(spec.path(), spec) != null) {
            throw new IllegalArgumentException("duplicate tar path: " + spec.path());
        }
        return this;
    }

    /**
     * @param specs entries to add
     * @return this
     */
    public LayerTarBuilder addAll(Iterable<TarEntrySpec> specs) {
        specs.forEach(this::add);
        return this;
    }

    /**
     * @param path relative path
     * @param mode permission bits
     * @return this, with a directory added
     */
    public LayerTarBuilder directory(String path, int mode) {
        return add(TarEntrySpec.directory(path, mode));
    }

    /**
     * @param path    relative path
     * @param mode    permission bits
     * @param content bytes
     * @return this, with a regular file added
     */
    public LayerTarBuilder file(String path, int mode, byte[] content) {
        return add(TarEntrySpec.file(path, mode, content));
    }

    /**
     * @param path   relative path
     * @param target link target
     * @return this, with a symlink added
     */
    public LayerTarBuilder symlink(String path, String target) {
        return add(TarEntrySpec.symlink(path, target));
    }

    /**
     * @param path   relative path
     * @param target earlier entry's path
     * @return this, with a hard link added
     */
    public LayerTarBuilder hardLink(String path, String target) {
        return add(TarEntrySpec.hardLink(path, target));
    }

    /** @return the entries in the order {@link #writeTo} writes them */
    public List<TarEntrySpec> entries() {
        List<TarEntrySpec> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparing(TarEntrySpec::path));
        List<TarEntrySpec> out = new ArrayList<>(sorted.size());
        Set<String> written = new HashSet<>();
        Deque<TarEntrySpec> waiting = new ArrayDeque<>();
        for (TarEntrySpec spec : sorted) {
            if (spec.type() == TarEntrySpec.Type.HARDLINK && !written.contains(spec.linkTarget())
                    && entries.containsKey(spec.linkTarget())) {
                waiting.add(spec);
                continue;
            }
            out.add(spec);
            written.add(spec.path());
            boolean progress = true;
            while (progress) {
                progress = false;
                for (Iterator<TarEntrySpec> it = waiting.iterator(); it.hasNext(); ) {
                    TarEntrySpec link = it.next();
                    if (written.contains(link.linkTarget())) {
                        it.remove();
                        out.add(link);
                        written.add(link.path());
                        progress = true;
                    }
                }
            }
        }
        out.addAll(waiting);
        return out;
    }

    /**
     * Writes the tar (with the two zero end blocks and record padding) to {@code out}, which is
     * flushed but not closed.
     *
     * @param out destination
     * @return uncompressed tar size in bytes
     * @throws IOException from {@code out} or a content source
     */
    public long writeTo(OutputStream out) throws IOException {
        CountingOutputStream counting = new CountingOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(counting, StandardCharsets.UTF_8.name());
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        byte[] buffer = new byte[COPY_BUFFER];
        for (TarEntrySpec spec : entries()) {
            tar.putArchiveEntry(toEntry(spec));
            if (spec.type() == TarEntrySpec.Type.FILE && spec.size() > 0) {
                copyExactly(spec, tar, buffer);
            }
            tar.closeArchiveEntry();
        }
        tar.finish();
        tar.flush();
        return counting.count;
    }

    /** @return the whole tar in memory (small layers only) */
    public byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build tar in memory", e);
        }
        return out.toByteArray();
    }

    private static TarArchiveEntry toEntry(TarEntrySpec spec) {
        TarArchiveEntry entry;
        switch (spec.type()) {
            case FILE -> {
                entry = new TarArchiveEntry(spec.path(), TarConstants.LF_NORMAL, false);
                entry.setSize(spec.size());
            }
            case DIRECTORY -> entry = new TarArchiveEntry(spec.path() + "/", TarConstants.LF_DIR, false);
            case SYMLINK -> {
                entry = new TarArchiveEntry(spec.path(), TarConstants.LF_SYMLINK, false);
                entry.setLinkName(spec.linkTarget());
            }
            case HARDLINK -> {
                entry = new TarArchiveEntry(spec.path(), TarConstants.LF_LINK, false);
                entry.setLinkName(spec.linkTarget());
            }
            case CHAR_DEVICE -> {
                entry = new TarArchiveEntry(spec.path(), TarConstants.LF_CHR, false);
                entry.setDevMajor(spec.devMajor());
                entry.setDevMinor(spec.devMinor());
            }
            case BLOCK_DEVICE -> {
                entry = new TarArchiveEntry(spec.path(), TarConstants.LF_BLK, false);
                entry.setDevMajor(spec.devMajor());
                entry.setDevMinor(spec.devMinor());
            }
            case FIFO -> entry = new TarArchiveEntry(spec.path(), TarConstants.LF_FIFO, false);
            default -> throw new IllegalStateException("unknown type " + spec.type());
        }
        entry.setMode(spec.mode());
        entry.setUserId(spec.uid());
        entry.setGroupId(spec.gid());
        entry.setUserName(spec.userName());
        entry.setGroupName(spec.groupName());
        entry.setModTime(FileTime.from(spec.mtime()));
        spec.xattrs().forEach((name, value) -> entry.addPaxHeader("SCHILY.xattr." + name, TarEntrySpec.requireUtf8(value)));
        return entry;
    }

    private static void copyExactly(TarEntrySpec spec, OutputStream tar, byte[] buffer) throws IOException {
        long remaining = spec.size();
        try (InputStream in = spec.content().open()) {
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IOException("content of " + spec.path() + " ended " + remaining + " bytes before its declared size "
                            + spec.size());
                }
                tar.write(buffer, 0, n);
                remaining -= n;
            }
            if (in.read() >= 0) {
                throw new IOException("content of " + spec.path() + " is longer than its declared size " + spec.size());
            }
        }
    }

    /** Counts bytes on their way to the wrapped stream. */
    private static final class CountingOutputStream extends FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // never close the caller's stream
        }
    }
}

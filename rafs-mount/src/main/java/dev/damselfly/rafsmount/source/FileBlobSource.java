package dev.damselfly.rafsmount.source;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Blobs in local files, like nydusd's {@code localfs} backend: either a directory holding one file per blob,
 * named by the blob id ({@link #directory}), or one file that serves every blob id ({@link #singleFile},
 * nydusd's {@code blob_file}, e.g. for plain EROFS images whose device has no tag). Files are opened on first
 * use and kept open until {@link #close()}; reads are positional and thread-safe.
 */
public final class FileBlobSource implements BlobSource, AutoCloseable {
    /** Blob ids accepted in directory mode: 64 lower-case hex characters (so an id can never name another path). */
    private static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{64}");

    private final Path directory;
    private final Path single;
    private final Map<String, FileChannel> open = new ConcurrentHashMap<>();

    private FileBlobSource(Path directory, Path single) {
        this.directory = directory;
        this.single = single;
    }

    /** Blobs are the files {@code directory/<blob id>}. */
    public static FileBlobSource directory(Path directory) {
        return new FileBlobSource(directory.toAbsolutePath(), null);
    }

    /** Every blob id is served from {@code file}. */
    public static FileBlobSource singleFile(Path file) {
        return new FileBlobSource(null, file.toAbsolutePath());
    }

    @Override
    public String name() {
        return "file:" + (single != null ? single : directory);
    }

    /** {@code "file"}. */
    @Override
    public String kind() {
        return "file";
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        FileChannel ch = channel(blobId);
        long size = ch.size();
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new EOFException(name() + ": blob " + blobId + " range [" + offset + ", +" + length
                    + ") outside a blob of " + size + " bytes");
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException(name() + ": blob " + blobId + " ends at " + pos);
            }
            pos += n;
        }
        return buf.array();
    }

    private FileChannel channel(String blobId) throws IOException {
        Path file;
        if (single != null) {
            file = single;
        } else {
            if (!BLOB_ID.matcher(blobId).matches()) {
                throw new BlobNotFoundException(name(), blobId, "not a 64-hex blob id");
            }
            file = directory.resolve(blobId);
        }
        FileChannel ch = open.get(blobId);
        if (ch != null) {
            return ch;
        }
        try {
            return open.computeIfAbsent(blobId, id -> {
                try {
                    return FileChannel.open(file, StandardOpenOption.READ);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw new BlobNotFoundException(name(), blobId, "no file " + file);
            }
            throw e.getCause();
        }
    }

    /** Closes every file opened so far. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : open.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}

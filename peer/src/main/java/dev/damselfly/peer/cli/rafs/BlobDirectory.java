package dev.damselfly.peer.cli.rafs;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.blob.BlobByteSource;
import dev.damselfly.rafs.blob.FileBlobByteSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Blobs of an image found in a directory by blob id (file name = blob id, like nydusd's localfs backend),
 * opened lazily and closed with {@link #close()}. A blob that is not there maps to null.
 */
final class BlobDirectory implements IntFunction<BlobByteSource>, AutoCloseable {
    private final Path directory;
    private final List<BlobInfo> blobs;
    private final Map<Integer, FileBlobByteSource> open = new HashMap<>();

    BlobDirectory(Path directory, RafsImage image) {
        this.directory = directory;
        this.blobs = new ArrayList<>(image.blobs());
    }

    @Override
    public BlobByteSource apply(int index) {
        if (index < 0 || index >= blobs.size()) {
            return null;
        }
        return open.computeIfAbsent(index, i -> {
            Path file = directory.resolve(blobs.get(i).blobId());
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try {
                return new FileBlobByteSource(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open blob " + file, e);
            }
        });
    }

    /** Blob ids of the image that have no file in the directory. */
    List<String> missing() {
        return blobs.stream().map(BlobInfo::blobId).filter(id -> !Files.isRegularFile(directory.resolve(id))).toList();
    }

    @Override
    public void close() throws IOException {
        for (FileBlobByteSource source : open.values()) {
            if (source != null) {
                source.close();
            }
        }
    }
}

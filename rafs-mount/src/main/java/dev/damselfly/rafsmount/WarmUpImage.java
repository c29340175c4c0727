package dev.damselfly.rafsmount;

import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.io.file.PathUtils;

/**
 * A start-up warm-up's own Nydus image: a layer tar the warm-up generates, built with the default options into a
 * scratch directory ({@code layer.boot}, {@code layer.blob}) that exists only while the warm-up runs.
 */
public final class WarmUpImage {
    /** What a warm-up does with its image. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Path scratch, LayerBuildResult built) throws IOException;
    }

    private WarmUpImage() {
    }

    /**
     * Empties {@code scratch} (a node killed during its warm-up leaves it), builds {@code layerTar} into it, runs
     * {@code work} and removes the directory, whatever happened.
     */
    public static <T> T inScratch(Path scratch, byte[] layerTar, Work<T> work) throws IOException {
        if (Files.exists(scratch)) {
            PathUtils.deleteDirectory(scratch);
        }
        Files.createDirectories(scratch);
        try {
            LayerBuildResult built = new LayerBuilder().build(new ByteArrayInputStream(layerTar),
                    scratch.resolve("layer.boot"), scratch.resolve("layer.blob"));
            return work.run(scratch, built);
        } finally {
            PathUtils.deleteDirectory(scratch);
        }
    }

    /** Adds a regular file of mode 0644 holding {@code content} to {@code tar}. */
    public static void addFile(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(content.length);
        e.setMode(0100644);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}

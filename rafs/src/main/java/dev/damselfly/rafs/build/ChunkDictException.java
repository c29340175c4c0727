package dev.damselfly.rafs.build;

import java.io.IOException;
import java.nio.file.Path;

/** A chunk dictionary ({@link LayerBuildOptions#chunkDict()}) that cannot be used for this build. */
public class ChunkDictException extends IOException {
    private final Path dictionary;

    /**
     * @param dictionary the dictionary bootstrap
     * @param reason     why it cannot be used
     */
    public ChunkDictException(Path dictionary, String reason) {
        super("chunk dictionary " + dictionary + ": " + reason);
        this.dictionary = dictionary;
    }

    /** The dictionary bootstrap. */
    public Path dictionary() {
        return dictionary;
    }
}

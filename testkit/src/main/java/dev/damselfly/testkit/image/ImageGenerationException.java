package dev.damselfly.testkit.image;

import java.nio.file.Path;

/** Writing a test image failed; names the layout directory. */
public final class ImageGenerationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param layoutDir the layout being written
     * @param what      the step that failed
     * @param cause     the underlying error
     */
    public ImageGenerationException(Path layoutDir, String what, Throwable cause) {
        super("cannot write test image layout " + layoutDir + ": " + what, cause);
    }
}

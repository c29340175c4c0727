package dev.damselfly.rafs.build;

import dev.damselfly.rafs.RafsException;

/** Layer bootstraps that cannot be stacked into one image: incompatible parameters or an unexpected shape. */
public class LayerMergeException extends RafsException {
    private static final long serialVersionUID = 1L;

    /** Index of the offending layer (0 = lowest), or -1 when it concerns the image as a whole. */
    private final int layer;

    /**
     * @param layer  index of the offending layer (0 = lowest), or -1
     * @param input  the layer bootstrap's name (file path), or null
     * @param reason what is wrong
     */
    public LayerMergeException(int layer, String input, String reason) {
        super("layer " + layer + (input == null ? "" : " (" + input + ")") + ": " + reason);
        this.layer = layer;
    }

    /** Index of the offending layer (0 = lowest), or -1. */
    public int layer() {
        return layer;
    }
}

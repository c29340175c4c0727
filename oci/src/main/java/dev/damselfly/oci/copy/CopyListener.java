package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;

/** Hears what a copy does, e.g. to draw progress bars. Called from several threads. */
public interface CopyListener {
    /** How a blob reached the destination. */
    enum BlobOutcome { COPIED, ALREADY_PRESENT, MOUNTED }

    /** Ignores everything. */
    CopyListener NONE = new CopyListener() {
    };

    /** The blobs about to be copied, once, before any transfer. */
    default void planned(java.util.List<Descriptor> blobs) {
    }

    default void blobStarted(Descriptor blob) {
    }

    /** {@code bytes} more bytes of {@code blob} were written. */
    default void blobProgress(Descriptor blob, long bytes) {
    }

    default void blobFinished(Descriptor blob, BlobOutcome outcome) {
    }

    default void manifestWritten(Descriptor manifest) {
    }
}

package dev.damselfly.peer.cli.progress;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.copy.CopyListener;

/**
 * One blob as a progress display sees it at one moment (immutable).
 *
 * @param name          short name: {@code algorithm:} and the first 12 hex digits
 * @param size          blob size in bytes
 * @param transferred   bytes written so far
 * @param phase         where the blob is
 * @param startedNanos  clock reading when the transfer started; meaningful once not {@link Phase#WAITING}
 * @param finishedNanos clock reading when it finished; meaningful once {@link Phase#isDone()}
 */
public record BlobState(String name, long size, long transferred, Phase phase, long startedNanos, long finishedNanos) {

    /** Where a blob is in a copy. */
    public enum Phase {
        WAITING("waiting"), ACTIVE("active"), COPIED("copied"), EXISTS("exists"), MOUNTED("mounted");

        private final String label;

        Phase(String label) {
            this.label = label;
        }

        /** The word shown for the phase. */
        public String label() {
            return label;
        }

        public boolean isDone() {
            return this == COPIED || this == EXISTS || this == MOUNTED;
        }

        /** The phase a finished blob ends in. */
        public static Phase of(CopyListener.BlobOutcome outcome) {
            return switch (outcome) {
                case COPIED -> COPIED;
                case ALREADY_PRESENT -> EXISTS;
                case MOUNTED -> MOUNTED;
            };
        }
    }

    /** A blob not started yet. */
    public static BlobState waiting(Descriptor blob) {
        return new BlobState(shortName(blob), blob.size(), 0, Phase.WAITING, 0, 0);
    }

    /** {@code sha256:0123456789ab}: enough to tell blobs apart on screen. */
    public static String shortName(Descriptor blob) {
        String digest = blob.digestText();
        int colon = digest.indexOf(':');
        return colon < 0 ? digest : digest.substring(0, Math.min(digest.length(), colon + 1 + 12));
    }

    BlobState started(long now) {
        return new BlobState(name, size, 0, Phase.ACTIVE, now, 0);
    }

    BlobState progressed(long bytes) {
        return new BlobState(name, size, transferred + bytes, phase, startedNanos, finishedNanos);
    }

    BlobState finished(Phase outcome, long now) {
        return new BlobState(name, size, transferred, outcome, phase == Phase.WAITING ? now : startedNanos, now);
    }
}

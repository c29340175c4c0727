package dev.damselfly.exchange.vortex;

/**
 * TEST-ONLY fault injection for the upload side (the piece server and the DfdaemonUpload service): never enable it
 * on a real node. With {@code corruptRatio} &gt; 0 that share of served pieces has a byte of its body flipped on the
 * way out while the metadata still announces the stored (correct) digest, so children must catch the damage with
 * their CRC check. Such pieces are read into memory instead of sent zero-copy. With {@code failSyncHost} every
 * DfdaemonUpload.SyncHost call is answered UNAVAILABLE, so children never learn this parent's load. With
 * {@code alwaysBusy} every piece request is answered "busy", as by a parent whose upload slots never free up.
 *
 * @param corruptRatio share of pieces whose body is corrupted, 0.0–1.0; default 0.0 (off)
 * @param failSyncHost whether SyncHost calls fail at once; default false
 * @param alwaysBusy   whether every piece request is answered "too many concurrent uploads"; default false
 */
public record UploadFaults(double corruptRatio, boolean failSyncHost, boolean alwaysBusy) {
    /** No faults (the default). */
    public static final UploadFaults NONE = new UploadFaults(0.0, false, false);

    public UploadFaults {
        if (!(corruptRatio >= 0.0 && corruptRatio <= 1.0)) {
            throw new IllegalArgumentException("corruptRatio must be within 0.0–1.0, was " + corruptRatio);
        }
    }

    /** Only the corruption fault (0.0–1.0); SyncHost works. */
    public UploadFaults(double corruptRatio) {
        this(corruptRatio, false, false);
    }

    /** TEST-ONLY: corrupt this share (0.0–1.0) of served piece bodies. */
    public static UploadFaults corrupting(double ratio) {
        return new UploadFaults(ratio, false, false);
    }

    /** TEST-ONLY: answer every SyncHost call with UNAVAILABLE. */
    public static UploadFaults failingSyncHost() {
        return new UploadFaults(0.0, true, false);
    }

    /** TEST-ONLY: answer every piece request "busy". */
    public static UploadFaults busyForever() {
        return new UploadFaults(0.0, false, true);
    }

    /** Whether any fault is switched on. */
    public boolean enabled() {
        return corruptRatio > 0.0 || failSyncHost || alwaysBusy;
    }
}

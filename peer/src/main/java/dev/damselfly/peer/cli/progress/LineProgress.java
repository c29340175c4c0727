package dev.damselfly.peer.cli.progress;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.copy.CopyListener;
import dev.damselfly.peer.units.ByteSize;
import java.io.PrintStream;

/**
 * Progress for logs and pipes: one line per finished blob, e.g.
 * {@code copied sha256:0123456789ab (12.3 MiB)}, {@code exists ...} or {@code mounted ...}.
 * Thread-safe; lines are never interleaved.
 */
public final class LineProgress implements CopyListener {
    private final PrintStream out;

    public LineProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void blobFinished(Descriptor blob, BlobOutcome outcome) {
        String line = BlobState.Phase.of(outcome).label() + " " + BlobState.shortName(blob) + " ("
                + ByteSize.format(blob.size()) + ")";
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}

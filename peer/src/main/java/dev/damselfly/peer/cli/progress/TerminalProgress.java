package dev.damselfly.peer.cli.progress;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.copy.CopyListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Draws a copy's progress on a terminal, one line per blob plus a summary, redrawn in place: the
 * cursor goes back up over the previous frame ({@code ESC[nA}), each line is erased ({@code ESC[2K})
 * and rewritten, and what is left below is cleared ({@code ESC[J}). Frames are drawn at most every
 * {@value #MIN_FRAME_INTERVAL_MILLIS} ms (whatever the number of progress events), plus a final one in
 * {@link #finish()}. Thread-safe: the copier calls it from several threads.
 */
public final class TerminalProgress implements CopyListener {
    /** Shortest time between two frames, in milliseconds: 100 (ten frames a second). */
    public static final long MIN_FRAME_INTERVAL_MILLIS = 100;
    static final String ESC = "\u001b[";

    private final PrintStream terminal;
    private final ProgressRenderer renderer;
    private final LongSupplier nanoClock;
    private final long startedNanos;
    private final Map<String, BlobState> blobs = new LinkedHashMap<>();
    private long lastFrameNanos;
    private boolean drawnAny;
    private int linesOnScreen;
    private int frames;

    /**
     * @param terminal  where to draw (stderr)
     * @param columns   terminal width in characters
     * @param nanoClock monotonic clock in nanoseconds
     */
    public TerminalProgress(PrintStream terminal, int columns, LongSupplier nanoClock) {
        this.terminal = terminal;
        this.renderer = new ProgressRenderer(columns, ProgressRenderer.DEFAULT_MAX_BLOB_LINES);
        this.nanoClock = nanoClock;
        this.startedNanos = nanoClock.getAsLong();
    }

    @Override
    public synchronized void planned(List<Descriptor> planned) {
        for (Descriptor blob : planned) {
            blobs.putIfAbsent(blob.digestText(), BlobState.waiting(blob));
        }
        drawIfDue(true);
    }

    @Override
    public synchronized void blobStarted(Descriptor blob) {
        blobs.put(blob.digestText(), BlobState.waiting(blob).started(nanoClock.getAsLong()));
        drawIfDue(false);
    }

    @Override
    public synchronized void blobProgress(Descriptor blob, long bytes) {
        BlobState state = blobs.get(blob.digestText());
        if (state != null) {
            blobs.put(blob.digestText(), state.progressed(bytes));
        }
        drawIfDue(false);
    }

    @Override
    public synchronized void blobFinished(Descriptor blob, BlobOutcome outcome) {
        BlobState state = blobs.getOrDefault(blob.digestText(), BlobState.waiting(blob));
        blobs.put(blob.digestText(), state.finished(BlobState.Phase.of(outcome), nanoClock.getAsLong()));
        drawIfDue(false);
    }

    /** Draws the last frame, whatever the time since the previous one. Call once the copy has ended. */
    public synchronized void finish() {
        drawIfDue(true);
    }

    /** Frames drawn so far. */
    public synchronized int frames() {
        return frames;
    }

    private void drawIfDue(boolean force) {
        long now = nanoClock.getAsLong();
        if (!force && drawnAny && now - lastFrameNanos < MIN_FRAME_INTERVAL_MILLIS * 1_000_000L) {
            return;
        }
        List<String> lines = renderer.render(new ArrayList<>(blobs.values()), startedNanos, now);
        StringBuilder frame = new StringBuilder();
        if (linesOnScreen > 0) {
            frame.append(ESC).append(linesOnScreen).append('A');
        }
        for (String line : lines) {
            frame.append('\r').append(ESC).append("2K").append(line).append('\n');
        }
        frame.append(ESC).append('J');
        terminal.print(frame);
        terminal.flush();
        linesOnScreen = lines.size();
        lastFrameNanos = now;
        drawnAny = true;
        frames++;
    }
}

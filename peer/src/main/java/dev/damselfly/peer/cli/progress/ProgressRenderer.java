package dev.damselfly.peer.cli.progress;

import dev.damselfly.peer.units.ByteSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns blob states into the lines of one progress frame; no I/O, no clock of its own.
 *
 * <pre>
 * sha256:0123456789ab [==========&gt;         ]   1.5 MiB / 3.0 MiB     2.0 MiB/s
 * sha256:abcdef012345 copied  3.0 MiB
 * sha256:fedcba987654 waiting
 * 1/3 blobs  4.5 MiB / 7.0 MiB  2.0 MiB/s  0.8 s
 * </pre>
 *
 * Every line is cut to {@code columns - 1} characters so the terminal never wraps it (a wrapped line
 * would break redrawing in place). The progress bar is at most {@value #MAX_BAR} characters wide and
 * is left out when fewer than {@value #MIN_BAR} would fit. With more blobs than {@code maxBlobLines},
 * active blobs are listed first and the rest are counted on one line.
 */
public final class ProgressRenderer {
    /** Widest bar, in characters between the brackets. */
    public static final int MAX_BAR = 30;
    /** Narrowest bar worth drawing. */
    public static final int MIN_BAR = 5;
    /** Default limit of blob lines in one frame: 20. */
    public static final int DEFAULT_MAX_BLOB_LINES = 20;

    private final int columns;
    private final int maxBlobLines;

    /**
     * @param columns      terminal width in characters (at least 20 is assumed)
     * @param maxBlobLines most blob lines per frame (at least 2)
     */
    public ProgressRenderer(int columns, int maxBlobLines) {
        this.columns = Math.max(20, columns);
        this.maxBlobLines = Math.max(2, maxBlobLines);
    }

    /** The lines of one frame: the blobs, then a summary line. */
    public List<String> render(List<BlobState> blobs, long copyStartedNanos, long nowNanos) {
        List<String> lines = new ArrayList<>();
        if (blobs.size() <= maxBlobLines) {
            for (BlobState blob : blobs) {
                lines.add(fit(blobLine(blob, nowNanos)));
            }
        } else {
            List<BlobState> shown = activeThenWaiting(blobs, maxBlobLines - 1);
            for (BlobState blob : shown) {
                lines.add(fit(blobLine(blob, nowNanos)));
            }
            lines.add(fit(moreLine(blobs, shown)));
        }
        lines.add(fit(summaryLine(blobs, copyStartedNanos, nowNanos)));
        return lines;
    }

    private static List<BlobState> activeThenWaiting(List<BlobState> blobs, int limit) {
        List<BlobState> shown = new ArrayList<>();
        for (BlobState.Phase wanted : List.of(BlobState.Phase.ACTIVE, BlobState.Phase.WAITING)) {
            for (BlobState blob : blobs) {
                if (blob.phase() == wanted && shown.size() < limit) {
                    shown.add(blob);
                }
            }
        }
        return shown;
    }

    /** {@code ... 12 more: 10 done, 2 waiting}: what {@link #activeThenWaiting} left out. */
    private static String moreLine(List<BlobState> blobs, List<BlobState> shown) {
        long done = blobs.stream().filter(b -> b.phase().isDone()).count();
        long waiting = count(blobs, BlobState.Phase.WAITING) - count(shown, BlobState.Phase.WAITING);
        long active = count(blobs, BlobState.Phase.ACTIVE) - count(shown, BlobState.Phase.ACTIVE);
        return "... " + (blobs.size() - shown.size()) + " more: " + done + " done, " + waiting + " waiting"
                + (active > 0 ? ", " + active + " active" : "");
    }

    private static long count(List<BlobState> blobs, BlobState.Phase phase) {
        return blobs.stream().filter(b -> b.phase() == phase).count();
    }

    String blobLine(BlobState blob, long nowNanos) {
        return switch (blob.phase()) {
            case WAITING -> blob.name() + " waiting";
            case ACTIVE -> activeLine(blob, nowNanos);
            case COPIED, EXISTS, MOUNTED -> blob.name() + " " + pad(blob.phase().label(), 7) + " "
                    + ByteSize.format(blob.size());
        };
    }

    private String activeLine(BlobState blob, long nowNanos) {
        String amounts = String.format(Locale.ROOT, "%10s / %-10s", ByteSize.format(blob.transferred()),
                ByteSize.format(blob.size()));
        String rate = String.format(Locale.ROOT, "%12s", ByteSize.formatRate(blob.transferred(),
                seconds(nowNanos - blob.startedNanos())));
        int fixed = blob.name().length() + 1 + 2 + 1 + amounts.length() + rate.length();
        int barWidth = Math.min(MAX_BAR, columns - 1 - fixed);
        String bar = barWidth >= MIN_BAR ? bar(blob.transferred(), blob.size(), barWidth) + " " : "";
        return blob.name() + " " + bar + amounts + rate;
    }

    /** {@code [=====>    ]} with {@code width} characters between the brackets. */
    static String bar(long done, long total, int width) {
        double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double) done / total);
        int filled = (int) Math.floor(fraction * width);
        StringBuilder bar = new StringBuilder(width + 2).append('[');
        bar.append("=".repeat(filled));
        if (filled < width) {
            bar.append('>').append(" ".repeat(width - filled - 1));
        }
        return bar.append(']').toString();
    }

    private String summaryLine(List<BlobState> blobs, long copyStartedNanos, long nowNanos) {
        long total = 0;
        long done = 0;
        long transferred = 0;
        int finished = 0;
        for (BlobState blob : blobs) {
            total += blob.size();
            transferred += blob.transferred();
            done += blob.phase() == BlobState.Phase.EXISTS || blob.phase() == BlobState.Phase.MOUNTED
                    ? blob.size() : blob.transferred();
            finished += blob.phase().isDone() ? 1 : 0;
        }
        double elapsed = seconds(nowNanos - copyStartedNanos);
        return finished + "/" + blobs.size() + " blobs  " + ByteSize.format(done) + " / " + ByteSize.format(total)
                + "  " + ByteSize.formatRate(transferred, elapsed) + "  " + String.format(Locale.ROOT, "%.1f s", elapsed);
    }

    private String fit(String line) {
        return line.length() <= columns - 1 ? line : line.substring(0, columns - 1);
    }

    private static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

    private static double seconds(long nanos) {
        return Math.max(0, nanos) / 1e9;
    }
}

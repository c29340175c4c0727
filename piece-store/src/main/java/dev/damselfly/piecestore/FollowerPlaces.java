package dev.damselfly.piecestore;

import java.util.List;

/**
 * Where a task's in-order readers ({@link PieceStore#follow}) stand at one moment: for each, the next piece it will
 * read and the last one it will. Lets a downloader keep pace with them ({@link #allows}). Immutable.
 */
public final class FollowerPlaces {
    /** No reader follows the task: every piece is allowed. */
    public static final FollowerPlaces NONE = new FollowerPlaces(new int[0], new int[0]);

    private final int[] next;
    private final int[] last;

    private FollowerPlaces(int[] next, int[] last) {
        this.next = next;
        this.last = last;
    }

    static FollowerPlaces of(List<RecentPieces.Place> places) {
        if (places.isEmpty()) {
            return NONE;
        }
        int[] next = new int[places.size()];
        int[] last = new int[places.size()];
        for (int i = 0; i < next.length; i++) {
            next[i] = places.get(i).next();
            last[i] = places.get(i).last();
        }
        return new FollowerPlaces(next, last);
    }

    /**
     * Whether piece {@code n} may be fetched now without running more than {@code ahead} pieces ahead of a reader:
     * false when some reader will still read it ({@code next ≤ n ≤ last}) and it lies {@code ahead} pieces or more
     * past that reader's next piece. A piece no reader will read is always allowed.
     */
    public boolean allows(int n, int ahead) {
        for (int i = 0; i < next.length; i++) {
            if (next[i] <= n && n <= last[i] && n - next[i] >= ahead) {
                return false;
            }
        }
        return true;
    }

    /** Whether no reader follows the task. */
    public boolean isEmpty() {
        return next.length == 0;
    }

    /** Readers counted. */
    public int size() {
        return next.length;
    }
}

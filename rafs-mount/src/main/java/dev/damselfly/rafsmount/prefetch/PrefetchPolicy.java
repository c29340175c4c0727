package dev.damselfly.rafsmount.prefetch;

import java.util.List;

/**
 * What to prefetch after mounting.
 *
 * @param everything             after the listed files, prefetch every other regular file too (nydusd's
 *                               {@code prefetch_all}); default false
 * @param bytesPerSecond         bandwidth limit on chunk bytes fetched (compressed, as stored); 0 = unlimited;
 *                               default 0
 * @param paths                  files to prefetch first, absolute in the image ({@code /usr/bin/python3}); empty =
 *                               the bootstrap's prefetch table; default empty
 */
public record PrefetchPolicy(boolean everything, long bytesPerSecond, List<String> paths) {

    public PrefetchPolicy {
        paths = List.copyOf(paths);
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 0, got " + bytesPerSecond);
        }
    }

    /** The bootstrap's prefetch table only, unlimited. */
    public static PrefetchPolicy table() {
        return new PrefetchPolicy(false, 0, List.of());
    }

    /** The prefetch table, then every file, unlimited. */
    public static PrefetchPolicy all() {
        return new PrefetchPolicy(true, 0, List.of());
    }

    public PrefetchPolicy withBandwidth(long limitBytesPerSecond) {
        return new PrefetchPolicy(everything, limitBytesPerSecond, paths);
    }

    /** These files first instead of the prefetch table (e.g. an access trace). */
    public PrefetchPolicy withPaths(List<String> list) {
        return new PrefetchPolicy(everything, bytesPerSecond, list);
    }
}

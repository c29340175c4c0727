package dev.damselfly.peer.mount;

/** What a mount prefetches into its blob cache in the background after it is live. */
public enum PrefetchMode {
    /** Nothing (the default): chunks arrive on first read only. */
    NONE,
    /** The bootstrap's prefetch table, or the listed paths when a prefetch list is given. */
    TABLE,
    /** Those first, then every other regular file (nydusd's {@code prefetch_all}). */
    ALL
}

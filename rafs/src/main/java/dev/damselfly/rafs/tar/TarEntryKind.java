package dev.damselfly.rafs.tar;

/** The tar entry types a layer may contain. */
public enum TarEntryKind {
    /** Regular file (typeflag {@code '0'}, NUL or contiguous {@code '7'}). */
    REGULAR,
    /** Hard link to an earlier entry ({@code '1'}). */
    HARD_LINK,
    /** Symbolic link ({@code '2'}). */
    SYMLINK,
    /** Character device ({@code '3'}). */
    CHAR_DEVICE,
    /** Block device ({@code '4'}). */
    BLOCK_DEVICE,
    /** Directory ({@code '5'}). */
    DIRECTORY,
    /** Named pipe ({@code '6'}). */
    FIFO
}

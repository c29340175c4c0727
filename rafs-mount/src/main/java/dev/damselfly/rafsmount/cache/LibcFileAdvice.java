package dev.damselfly.rafsmount.cache;

import jnr.ffi.annotations.IgnoreError;

/**
 * The three libc calls {@link PageCacheRelease} needs ({@code open}, {@code close}, {@code posix_fadvise}). Public only
 * because jnr-ffi implements it in its own class loader; nothing outside this package uses it.
 */
public interface LibcFileAdvice {
    /** {@code open(2)}: a file descriptor, or -1. */
    @IgnoreError
    int open(String path, int flags);

    /** {@code close(2)}. */
    @IgnoreError
    int close(int fd);

    /** {@code posix_fadvise(2)}: 0, or an error number (not -1 and errno). */
    @IgnoreError
    int posix_fadvise(int fd, long offset, long length, int advice);
}

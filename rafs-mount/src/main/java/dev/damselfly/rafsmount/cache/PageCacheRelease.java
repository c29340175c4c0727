package dev.damselfly.rafsmount.cache;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the page cache of a blob cache data file back to the kernel once a chunk has been read from it
 * ({@code posix_fadvise(POSIX_FADV_DONTNEED)} on the chunk's range). A chunk read back from the blob cache is checked,
 * kept in memory for the rest of its FUSE reads when it is large, and then lives in the kernel's page cache of the
 * mounted file: the data file's copy of it would only sit there twice. Released at once, its pages are what the
 * kernel's read-ahead of the next chunks takes next, instead of pages the system has not touched for a while (on a VM,
 * those cost about 2 CPU-seconds per GiB to bring back). Only clean pages go (pages still being written stay), and only
 * whole pages inside the range. Linux on x86-64 and arm64 only (elsewhere {@link #open} answers null); a failed call
 * changes nothing but the page cache. Thread-safe.
 */
final class PageCacheRelease implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PageCacheRelease.class);
    /** {@code O_RDONLY} on Linux. */
    private static final int O_RDONLY = 0;
    /** {@code POSIX_FADV_DONTNEED} on Linux x86-64 and arm64. */
    private static final int POSIX_FADV_DONTNEED = 4;

    private final LibcFileAdvice libc;
    private final int fd;
    private volatile boolean closed;

    private PageCacheRelease(LibcFileAdvice libc, int fd) {
        this.libc = libc;
        this.fd = fd;
    }

    /** Opens {@code file} for page-cache advice; null where this is not available. */
    static PageCacheRelease open(Path file) {
        LibcFileAdvice libc = Libc.INSTANCE;
        if (libc == null) {
            return null;
        }
        int fd = libc.open(file.toString(), O_RDONLY);
        return fd < 0 ? null : new PageCacheRelease(libc, fd);
    }

    /** Loads libc's binding now (on a warm-up thread) instead of in the first read of a cached chunk. */
    static void warmUp() {
        Objects.hashCode(Libc.INSTANCE);
    }

    /** Drops the clean pages of bytes {@code [offset, offset + length)} from the page cache. */
    void release(long offset, long length) {
        if (!closed) {
            libc.posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }

    /** libc, loaded on first use; null where it is not available or not wanted. */
    private static final class Libc {
        static final LibcFileAdvice INSTANCE = load();

        private static LibcFileAdvice load() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "");
            if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
                return null;
            }
            try {
                return LibraryLoader.create(LibcFileAdvice.class).failImmediately().load("c");
            } catch (LinkageError | RuntimeException e) {
                LOG.debug("libc not loaded, blob cache pages are left to the kernel: {}", e.toString());
                return null;
            }
        }
    }
}

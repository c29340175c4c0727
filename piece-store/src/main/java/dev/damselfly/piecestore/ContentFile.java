package dev.damselfly.piecestore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One task's sparse content file and its shared {@link FileChannel} (positional reads and writes are
 * thread-safe on it). Users {@link #acquire()} before touching the channel and {@link #release()} after;
 * {@link #retire()} (task deleted) unlinks the file at once and closes the channel when the last user
 * leaves, so a read or a region in flight finishes undisturbed and never waits for the deleter.
 */
final class ContentFile {
    private final Path path;
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean retired;
    private volatile FileChannel channel;
    private volatile FileChannel directChannel; // O_DIRECT, opened on first aligned request
    /** Run once when a retired file's channel closes (its blocks are then free); set by {@link #retire}. */
    private volatile Runnable onReleased;

    private final boolean syncDirectory;

    /** How the file's data is forced to disk; {@code FileChannel.force(false)} outside tests. */
    interface Forcer {
        void force(FileChannel channel) throws IOException;
    }

    private final Forcer forcer;
    // group force: writers that finish at about the same time share one force (guarded by forceLock)
    private final Object forceLock = new Object();
    private long forcesStarted;
    private long forcesDone;
    private boolean forcing;

    /**
     * @param syncDirectory whether creating the file also forces its directory, so that the file's name is as
     *                      durable as the pieces later forced into it
     */
    ContentFile(Path path, boolean syncDirectory) {
        this(path, syncDirectory, ch -> ch.force(false));
    }

    ContentFile(Path path, boolean syncDirectory, Forcer forcer) {
        this.path = path;
        this.syncDirectory = syncDirectory;
        this.forcer = forcer;
    }

    /**
     * Returns once every write to this file that completed before the call is on disk. Concurrent callers share
     * forces (group commit): a caller waits for a force that <em>started</em> after it arrived (one already
     * running may have missed its bytes), starting one itself when none is running. With 8 pieces of a task
     * arriving together this is one {@code fdatasync} instead of 8. A failed force fails its caller; waiters then
     * start their own.
     *
     * @return forces this file has completed so far (for tests)
     */
    long forceWrites() throws IOException {
        long number;
        synchronized (forceLock) {
            long need = forcesStarted + 1;
            while (true) {
                if (forcesDone >= need) {
                    return forcesDone;
                }
                if (!forcing) {
                    break;
                }
                try {
                    forceLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted waiting for a force of " + path);
                }
            }
            forcing = true;
            number = ++forcesStarted;
        }
        boolean ok = false;
        try {
            forcer.force(channel(true));
            ok = true;
        } finally {
            synchronized (forceLock) {
                forcing = false;
                if (ok) {
                    forcesDone = Math.max(forcesDone, number);
                }
                forceLock.notifyAll();
            }
        }
        synchronized (forceLock) {
            return forcesDone;
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be forced; a lost name shows as a missing content file
        }
    }

    Path path() {
        return path;
    }

    /** Registers a user; false when the file is retired (the task is gone). */
    boolean acquire() {
        users.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    /**
     * Registers a user unconditionally, retired or not: for a caller that already holds a use (a lease) and
     * needs one more (a read or a region under that lease).
     */
    void acquireHeld() {
        users.incrementAndGet();
    }

    void release() {
        if (users.decrementAndGet() == 0 && retired) {
            closeChannel();
        }
    }

    /**
     * The channel, opened on first use. With {@code create} false a missing file is a
     * {@link java.nio.file.NoSuchFileException}.
     */
    FileChannel channel(boolean create) throws IOException {
        FileChannel c = channel;
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (channel == null) {
                if (retired) {
                    throw new java.nio.file.NoSuchFileException(path.toString(), null, "task deleted");
                }
                if (create) {
                    Files.createDirectories(path.getParent());
                    boolean isNew = !Files.exists(path);
                    channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    if (isNew && syncDirectory) {
                        syncDirectory(path.getParent());
                    }
                } else {
                    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                }
            }
            return channel;
        }
    }

    /**
     * A second channel on the file opened with {@code O_DIRECT} (see {@link DirectIo}), opened on first use after the
     * file exists; closed with the main one.
     */
    FileChannel directChannel() throws IOException {
        FileChannel c = directChannel;
        if (c != null) {
            return c;
        }
        channel(true);
        synchronized (this) {
            if (directChannel == null) {
                if (retired) {
                    throw new java.nio.file.NoSuchFileException(path.toString(), null, "task deleted");
                }
                directChannel = DirectIo.open(path);
            }
            return directChannel;
        }
    }

    boolean exists() {
        return channel != null || Files.exists(path);
    }

    /**
     * Unlinks the file now; the channel closes when the last user releases it, and then {@code onReleased} runs.
     * With users (leases, reads, regions) and no channel open yet, the file is opened first, so that they keep
     * its bytes after the unlink.
     */
    void retire(Runnable onReleased) {
        synchronized (this) {
            this.onReleased = onReleased;
            retired = true;
            if (users.get() > 0 && channel == null && Files.exists(path)) {
                try {
                    channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    // the users then see a missing file: typed errors, no crash
                }
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // the orphan is removed by the startup sweep
            }
        }
        if (users.get() == 0) {
            closeChannel();
        }
    }

    /** Closes the channel (store shutdown), leaving the file. */
    void closeForShutdown() {
        closeChannel();
    }

    private void closeChannel() {
        if (closed.compareAndSet(false, true)) {
            FileChannel c;
            FileChannel d;
            synchronized (this) {
                c = channel;
                d = directChannel;
            }
            for (FileChannel open : new FileChannel[] {d, c}) {
                if (open != null) {
                    try {
                        open.close();
                    } catch (IOException ignored) {
                        // nothing to save: the file is unlinked or the store is stopping
                    }
                }
            }
            Runnable r = onReleased;
            if (retired && r != null) {
                r.run();
            }
        }
    }
}

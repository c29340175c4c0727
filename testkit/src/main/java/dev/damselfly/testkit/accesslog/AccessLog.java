package dev.damselfly.testkit.accesslog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The access log of one registry process, filled line by line from its stdout (see
 * {@link #accept(String)}) and queried by tests.
 *
 * <p>The log is asynchronous with respect to clients: use {@link #sync()} (exact, needs a
 * {@link SyncProbe}) or {@link #awaitEntries}/{@link #awaitSettled} before counting. Entries
 * produced by {@link #sync()} itself are hidden from every query.
 */
public final class AccessLog {

    /** Query parameter that marks the hidden sentinel requests sent by {@link #sync()}. */
    public static final String SYNC_PARAMETER = "damselfly-testkit-sync";
    /** Default time {@link #sync()} waits for its sentinel line: 10 s. */
    public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofSeconds(10);

    /** Sends one request whose URI carries the given query string to the logged server. */
    @FunctionalInterface
    public interface SyncProbe {
        /**
         * @param query e.g. {@code damselfly-testkit-sync=UUID}
         * @throws Exception when the request cannot be sent
         */
        void send(String query) throws Exception;
    }

    /**
     * A position in the log: entries appended after {@link #mark()} returned it are "since" it.
     *
     * @param position number of visible entries when the mark was taken
     */
    public record Mark(int position) {
    }

    private final List<AccessLogEntry> entries = new ArrayList<>();
    private final Set<String> syncTokensSeen = new HashSet<>();
    private final SyncProbe probe;
    private long lastAppendNanos = System.nanoTime();

    /** A log without a sync probe ({@link #sync()} throws). */
    public AccessLog() {
        this(null);
    }

    /** @param probe used by {@link #sync()}; may be {@code null} */
    public AccessLog(SyncProbe probe) {
        this.probe = probe;
    }

    /**
     * Feeds one output line; lines that are not access-log lines are ignored.
     *
     * @param line a line of the registry's stdout
     * @return true when the line was an access-log entry
     */
    public boolean accept(String line) {
        synchronized (this) {
            var parsed = AccessLogParser.parse(entries.size(), line);
            if (parsed.isEmpty()) {
                return false;
            }
            AccessLogEntry entry = parsed.get();
            String query = entry.query();
            int at = query.indexOf(SYNC_PARAMETER + "=");
            if (at >= 0) {
                syncTokensSeen.add(query.substring(at + SYNC_PARAMETER.length() + 1));
            } else {
                entries.add(entry);
            }
            lastAppendNanos = System.nanoTime();
            notifyAll();
            return true;
        }
    }

    /** @return a snapshot of all entries in log order */
    public synchronized List<AccessLogEntry> entries() {
        return List.copyOf(entries);
    }

    /** @return the number of entries so far */
    public synchronized int size() {
        return entries.size();
    }

    /** @return a mark at the current end of the log */
    public synchronized Mark mark() {
        return new Mark(entries.size());
    }

    /** @return a snapshot of all entries */
    public synchronized AccessLogSlice all() {
        return new AccessLogSlice(entries);
    }

    /**
     * @param mark a mark from {@link #mark()}
     * @return a snapshot of the entries appended after the mark
     */
    public synchronized AccessLogSlice since(Mark mark) {
        return new AccessLogSlice(entries.subList(Math.min(mark.position(), entries.size()), entries.size()));
    }

    /**
     * @param which entries to count
     * @return how many entries so far match
     */
    public long count(Predicate<AccessLogEntry> which) {
        return all().count(which);
    }

    /**
     * @param which entries to sum (restrict to GET, see {@link AccessLogSlice#bytesServed})
     * @return response bytes of the matching entries so far
     */
    public long bytesServed(Predicate<AccessLogEntry> which) {
        return all().bytesServed(which);
    }

    /**
     * Sends a sentinel request through the probe and waits until its line arrives. Afterwards every
     * request whose response a client had completely read before calling {@code sync()} is in the
     * log (Distribution writes the line before the response's last bytes are flushed).
     *
     * @throws IllegalStateException     when this log has no probe
     * @throws AccessLogTimeoutException when the sentinel is not logged within
     *                                   {@link #DEFAULT_SYNC_TIMEOUT}
     */
    public void sync() {
        if (probe == null) {
            throw new IllegalStateException("this AccessLog has no sync probe; use awaitEntries or awaitSettled");
        }
        String token = UUID.randomUUID().toString();
        try {
            probe.send(SYNC_PARAMETER + "=" + token);
        } catch (Exception e) {
            throw new IllegalStateException("access-log sync request failed: " + e, e);
        }
        long deadline = System.nanoTime() + DEFAULT_SYNC_TIMEOUT.toNanos();
        synchronized (this) {
            while (!syncTokensSeen.contains(token)) {
                if (!waitUntil(deadline)) {
                    throw new AccessLogTimeoutException("sync sentinel " + token, DEFAULT_SYNC_TIMEOUT, all());
                }
            }
        }
    }

    /**
     * Waits until at least {@code count} entries exist after {@code from}.
     *
     * @param from    where to start counting
     * @param count   entries wanted
     * @param timeout maximum wait
     * @return the entries after {@code from} (at least {@code count})
     * @throws AccessLogTimeoutException listing what was seen
     */
    public AccessLogSlice awaitEntries(Mark from, int count, Duration timeout) {
        return awaitMatching(from, e -> true, count, timeout);
    }

    /**
     * Waits until at least {@code count} entries matching {@code which} exist after {@code from}.
     *
     * @param from    where to start looking
     * @param which   the entries to count
     * @param count   matching entries wanted
     * @param timeout maximum wait
     * @return all entries after {@code from} (not only the matching ones)
     * @throws AccessLogTimeoutException listing what was seen
     */
    public AccessLogSlice awaitMatching(Mark from, Predicate<AccessLogEntry> which, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (since(from).count(which) < count) {
                if (!waitUntil(deadline)) {
                    throw new AccessLogTimeoutException(count + " matching entries", timeout, since(from));
                }
            }
            return since(from);
        }
    }

    /**
     * Waits until no line has arrived for {@code quiet}, at most {@code timeout}. A heuristic for
     * logs without a probe; prefer {@link #sync()}.
     *
     * @param quiet   silence that counts as settled, e.g. 200 ms
     * @param timeout maximum wait
     * @return true if the log settled, false when the timeout came first
     */
    public boolean awaitSettled(Duration quiet, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                long quietUntil = lastAppendNanos + quiet.toNanos();
                long now = System.nanoTime();
                if (now >= quietUntil) {
                    return true;
                }
                if (now >= deadline) {
                    return false;
                }
                try {
                    long waitNanos = Math.min(quietUntil, deadline) - now;
                    wait(Math.max(1, waitNanos / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private boolean waitUntil(long deadlineNanos) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        try {
            wait(Math.max(1, remaining / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }
}

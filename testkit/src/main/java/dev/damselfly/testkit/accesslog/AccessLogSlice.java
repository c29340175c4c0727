package dev.damselfly.testkit.accesslog;

import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An immutable snapshot of some access-log entries (all of them, or those after a
 * {@link AccessLog.Mark}).
 */
public final class AccessLogSlice {

    private final List<AccessLogEntry> entries;

    AccessLogSlice(List<AccessLogEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** @return the entries in log order */
    public List<AccessLogEntry> entries() {
        return entries;
    }

    /** @return the number of entries */
    public int size() {
        return entries.size();
    }

    /** @return the entries as a stream */
    public Stream<AccessLogEntry> stream() {
        return entries.stream();
    }

    /**
     * @param which entries to count
     * @return how many entries match
     */
    public long count(Predicate<AccessLogEntry> which) {
        return entries.stream().filter(which).count();
    }

    /**
     * Sums {@link AccessLogEntry#bytes()} of matching entries. Restrict to GET: HEAD entries carry
     * the size of the body that was not sent.
     *
     * @param which entries to sum
     * @return bytes, 0 when none match
     */
    public long bytesServed(Predicate<AccessLogEntry> which) {
        return entries.stream().filter(which).mapToLong(AccessLogEntry::bytes).sum();
    }

    /**
     * @param which entries to keep
     * @return a new slice of the matching entries
     */
    public AccessLogSlice filter(Predicate<AccessLogEntry> which) {
        return new AccessLogSlice(entries.stream().filter(which).toList());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (AccessLogEntry e : entries) {
            sb.append(e.rawLine()).append('\n');
        }
        return sb.toString();
    }
}

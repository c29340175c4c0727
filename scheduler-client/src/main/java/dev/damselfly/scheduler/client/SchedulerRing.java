package dev.damselfly.scheduler.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Per-task scheduler choice (spec §1.13): a consistent hash ring with one point per scheduler, keyed by
 * the first 5 characters of the task id, hashed with SipHash-1-3 (zero key) over the UTF-8 bytes plus
 * Rust's {@code str} terminator byte 0xFF. Scheduler points hash their {@code ip:port} text the same way.
 *
 * <p>Unverified [I]: the Rust client hashes a {@code SocketAddr} value, not its text, so with more than
 * one scheduler shared with Rust peers the choice may differ; deploy one scheduler in mixed clusters.
 */
public final class SchedulerRing {
    /** Number of leading task-id characters used as the ring key. */
    public static final int KEY_CHARS = 5;

    private record Point(long hash, String address) {
    }

    private final List<Point> points;

    public SchedulerRing(List<String> addresses) {
        List<Point> p = new ArrayList<>();
        for (String a : addresses) {
            p.add(new Point(hash(a), a));
        }
        p.sort(Comparator.comparing(Point::hash, Long::compareUnsigned));
        this.points = List.copyOf(p);
    }

    public boolean isEmpty() {
        return points.isEmpty();
    }

    /** The address serving this task id. */
    public String select(String taskId) {
        if (points.isEmpty()) {
            throw new IllegalStateException("no scheduler in the ring");
        }
        long h = hash(taskId.substring(0, Math.min(KEY_CHARS, taskId.length())));
        for (Point p : points) {
            if (Long.compareUnsigned(p.hash(), h) >= 0) {
                return p.address();
            }
        }
        return points.get(0).address();
    }

    static long hash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] withTerminator = new byte[b.length + 1];
        System.arraycopy(b, 0, withTerminator, 0, b.length);
        withTerminator[b.length] = (byte) 0xff;
        return SipHash13.hash(withTerminator);
    }
}

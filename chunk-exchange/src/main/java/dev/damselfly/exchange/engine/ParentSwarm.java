package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.ParentLoad;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The candidate parents of one task and what each has announced over SyncPieces (spec §2.4). A piece is
 * ready for download once every usable parent announced it, or {@code hold} after the first one did. Each parent
 * holds a {@link ParentLoad.Lease} on its host's SyncHost figures while it is usable. Confined to the task's driver
 * thread.
 */
final class ParentSwarm {

    /** One candidate parent. */
    static final class Parent {
        final Peer peer;
        final ParentEndpoint endpoint;
        final Map<Integer, PieceAnnouncement> announced = new HashMap<>();
        PieceAvailability.Subscription subscription;
        /** This task's hold on the parent host's SyncHost figures; closed when the parent is no longer usable. */
        ParentLoad.Lease load = ParentLoad.Lease.UNKNOWN;
        boolean streamOpen = true;
        boolean usable = true;
        int failures;
        /** Pieces of this task being fetched from it now. */
        int inFlight;
        /** Whether it could take a request when the driver last looked (set by the driver before it picks a piece). */
        boolean askableNow;
        /** Pieces it deflected as repeats ({@code repeatDeflected}), and until when not to ask it again, nanoseconds. */
        private final Map<Integer, Long> deferredUntil = new HashMap<>();

        Parent(Peer peer, ParentEndpoint endpoint) {
            this.peer = peer;
            this.endpoint = endpoint;
        }

        String peerId() {
            return endpoint.peerId();
        }

        String hostId() {
            return endpoint.hostId();
        }

        /** Not to be asked for piece {@code n} before {@code untilNanos} ({@link System#nanoTime()}). */
        void defer(int n, long untilNanos) {
            deferredUntil.put(n, untilNanos);
        }

        /** Whether piece {@code n} is not to be asked of it at {@code nowNanos}; forgets a deferral that is over. */
        boolean deferred(int n, long nowNanos) {
            Long until = deferredUntil.get(n);
            if (until == null) {
                return false;
            }
            if (until - nowNanos > 0) {
                return true;
            }
            deferredUntil.remove(n);
            return false;
        }
    }

    private final Map<String, Parent> parents = new LinkedHashMap<>();
    private final Map<Integer, Long> firstAnnouncedNanos = new HashMap<>();
    private long lastNewPieceNanos = System.nanoTime();

    boolean contains(String peerId) {
        return parents.containsKey(peerId);
    }

    Parent add(Peer peer, ParentEndpoint endpoint) {
        Parent p = new Parent(peer, endpoint);
        parents.put(endpoint.peerId(), p);
        return p;
    }

    Collection<Parent> all() {
        return parents.values();
    }

    void announced(Parent p, PieceAnnouncement a, long nowNanos) {
        p.announced.put(a.number(), a);
        if (firstAnnouncedNanos.putIfAbsent(a.number(), nowNanos) == null) {
            lastNewPieceNanos = nowNanos;
        }
    }

    /** When a parent last announced a piece no parent had announced before ({@link System#nanoTime()}). */
    long lastNewPieceNanos() {
        return lastNewPieceNanos;
    }

    /** The parent's stream ended; an error also makes it unusable. */
    void streamEnded(Parent p, boolean error) {
        p.streamOpen = false;
        if (error) {
            p.usable = false;
            releaseLoad(p);
        }
    }

    /** Stops using a parent for this task and closes its stream. */
    void drop(Parent p) {
        p.usable = false;
        p.streamOpen = false;
        close(p);
    }

    /** Usable parents whose SyncPieces stream is still open. */
    int openStreams() {
        int n = 0;
        for (Parent p : parents.values()) {
            if (p.usable && p.streamOpen) {
                n++;
            }
        }
        return n;
    }

    /** The pieces some usable parent has announced (a new set, the caller's to change). */
    BitSet announcedByUsable() {
        BitSet union = new BitSet();
        for (Parent p : parents.values()) {
            if (p.usable) {
                p.announced.keySet().forEach(union::set);
            }
        }
        return union;
    }

    int usable() {
        int n = 0;
        for (Parent p : parents.values()) {
            if (p.usable) {
                n++;
            }
        }
        return n;
    }

    /**
     * Usable parents that announced piece {@code n}, minus those in {@code failed} (peer ids that failed this
     * piece) and those {@code avoided} says to avoid (by host id).
     */
    List<Parent> candidates(int n, Set<String> failed, Predicate<String> avoided) {
        List<Parent> out = new ArrayList<>(2);
        for (Parent p : parents.values()) {
            if (candidate(p, n, failed, avoided)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Whether {@link #candidates} would not be empty (without building the list). */
    boolean hasCandidate(int n, Set<String> failed, Predicate<String> avoided) {
        for (Parent p : parents.values()) {
            if (candidate(p, n, failed, avoided)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code p} is usable, announced piece {@code n}, and is neither in {@code failed} nor avoided. */
    static boolean candidate(Parent p, int n, Set<String> failed, Predicate<String> avoided) {
        return p.usable && p.announced.containsKey(n) && !failed.contains(p.peerId()) && !avoided.test(p.hostId());
    }

    /** Whether piece {@code n} (with at least one candidate) may be handed to the downloader now. */
    boolean ready(int n, long nowNanos, long holdNanos) {
        Long first = firstAnnouncedNanos.get(n);
        if (first == null) {
            return false;
        }
        if (nowNanos - first >= holdNanos) {
            return true;
        }
        for (Parent p : parents.values()) {
            if (p.usable && !p.announced.containsKey(n)) {
                return false;
            }
        }
        return true;
    }

    /** Whether some announced piece is still inside its hold. */
    boolean holding(long nowNanos, long holdNanos) {
        for (long first : firstAnnouncedNanos.values()) {
            if (nowNanos - first < holdNanos) {
                return true;
            }
        }
        return false;
    }

    void closeAll() {
        for (Parent p : parents.values()) {
            p.streamOpen = false;
            close(p);
        }
    }

    private static void releaseLoad(Parent p) {
        try {
            p.load.close();
        } catch (RuntimeException e) {
            // releasing a feed never matters to the download
        }
        p.load = ParentLoad.Lease.UNKNOWN;
    }

    private static void close(Parent p) {
        releaseLoad(p);
        if (p.subscription != null) {
            try {
                p.subscription.close();
            } catch (RuntimeException e) {
                // closing a broken stream: nothing more to do
            }
            p.subscription = null;
        }
    }
}

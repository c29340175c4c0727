package dev.damselfly.scheduler.server.resource;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parent→child edges of one task. Every method must be called holding the task's monitor. An edge holds
 * one upload slot of the parent's host and adds the child's expected load to it; removing the edge gives
 * both back. {@link #addEdge} refuses edges that would close a cycle unless told the task's graph may have them
 * ({@link dev.damselfly.scheduler.server.SchedulerConfig.ParentGraph#MESH}).
 */
public final class TaskDag {
    private TaskDag() {
    }

    /** True when {@code to} is reachable from {@code from} following parent→child edges. */
    public static boolean reaches(PeerRecord from, PeerRecord to) {
        if (from == to) {
            return true;
        }
        Deque<PeerRecord> stack = new ArrayDeque<>();
        Set<PeerRecord> seen = new HashSet<>();
        stack.push(from);
        while (!stack.isEmpty()) {
            PeerRecord p = stack.pop();
            for (PeerRecord c : p.children()) {
                if (c == to) {
                    return true;
                }
                if (seen.add(c)) {
                    stack.push(c);
                }
            }
        }
        return false;
    }

    /** True when adding parent→child would create a cycle. */
    public static boolean wouldCycle(PeerRecord parent, PeerRecord child) {
        return reaches(child, parent);
    }

    /**
     * Adds parent→child when the parent's host has a free upload slot and, unless {@code cyclesAllowed}, the edge
     * closes no cycle.
     *
     * @return false when refused
     */
    public static boolean addEdge(PeerRecord parent, PeerRecord child, boolean cyclesAllowed) {
        if (parent == child || parent.children().contains(child) || (!cyclesAllowed && wouldCycle(parent, child))) {
            return false;
        }
        if (!parent.host().tryAcquireUploadSlot()) {
            return false;
        }
        parent.children().add(child);
        child.parents().add(parent);
        parent.host().accountEdge(1, edgeTxBps(parent, child), Math.max(0, child.task().contentLength()),
                child.concurrentPieceCount());
        return true;
    }

    /** Removes parent→child if present. */
    public static void removeEdge(PeerRecord parent, PeerRecord child) {
        if (parent.children().remove(child)) {
            child.parents().remove(parent);
            parent.host().releaseUploadSlot();
            parent.host().accountEdge(-1, edgeTxBps(parent, child), Math.max(0, child.task().contentLength()),
                    child.concurrentPieceCount());
        }
    }

    /** Removes every edge into {@code child}. */
    public static void removeInEdges(PeerRecord child) {
        for (PeerRecord p : List.copyOf(child.parents())) {
            removeEdge(p, child);
        }
    }

    /** Removes every edge into and out of {@code peer}. */
    public static void removeAllEdges(PeerRecord peer) {
        removeInEdges(peer);
        for (PeerRecord c : List.copyOf(peer.children())) {
            removeEdge(peer, c);
        }
    }

    /** The scheduler's load estimate for one edge: pieceLength × child concurrency × 8 bits. */
    static long edgeTxBps(PeerRecord parent, PeerRecord child) {
        return Math.max(0, child.task().pieceLength()) * child.concurrentPieceCount() * 8L;
    }

    /** True when the task's graph has no cycle (a check for tests and assertions). */
    public static boolean isAcyclic(List<PeerRecord> peers) {
        Set<PeerRecord> done = new HashSet<>();
        Set<PeerRecord> onPath = new HashSet<>();
        for (PeerRecord p : peers) {
            if (!done.contains(p) && hasCycleFrom(p, done, onPath)) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasCycleFrom(PeerRecord start, Set<PeerRecord> done, Set<PeerRecord> onPath) {
        // iterative DFS with an explicit stack of iterators
        Deque<PeerRecord> nodes = new ArrayDeque<>();
        Deque<java.util.Iterator<PeerRecord>> its = new ArrayDeque<>();
        nodes.push(start);
        its.push(List.copyOf(start.children()).iterator());
        onPath.add(start);
        while (!nodes.isEmpty()) {
            java.util.Iterator<PeerRecord> it = its.peek();
            if (it.hasNext()) {
                PeerRecord c = it.next();
                if (onPath.contains(c)) {
                    return true;
                }
                if (!done.contains(c)) {
                    nodes.push(c);
                    its.push(List.copyOf(c.children()).iterator());
                    onPath.add(c);
                }
            } else {
                PeerRecord n = nodes.pop();
                its.pop();
                onPath.remove(n);
                done.add(n);
            }
        }
        return false;
    }
}

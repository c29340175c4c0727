package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.server.SchedulerConfig.ParentGraph;
import dev.damselfly.scheduler.server.evaluator.Evaluator;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import dev.damselfly.scheduler.server.resource.TaskDag;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The candidate-parent pipeline (spec §3.5): sample up to {@code filterParentLimit} random peers of the task,
 * drop unusable ones ({@link #rejectReason}), score the rest with the evaluator, keep the best
 * {@code candidateParentLimit}, and add the edges (each taking an upload slot), closing no cycle when the task's
 * graph is a {@link ParentGraph#DAG}. Call under the task's monitor.
 */
public final class ParentSelector {
    private final Evaluator evaluator;
    private final int filterParentLimit;
    private final int candidateParentLimit;
    private final ParentGraph graph;

    public ParentSelector(Evaluator evaluator, int filterParentLimit, int candidateParentLimit, ParentGraph graph) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.evaluator = evaluator;
        this.filterParentLimit = filterParentLimit;
        this.candidateParentLimit = candidateParentLimit;
    }

    /** Parents sent in one answer to a registration or a reschedule. */
    public int candidateParentLimit() {
        return candidateParentLimit;
    }

    public Evaluator evaluator() {
        return evaluator;
    }

    /** Why {@code parent} cannot serve {@code child} in a task whose peers form {@code graph}, or empty when it can. */
    public static Optional<String> rejectReason(PeerRecord parent, PeerRecord child, ParentGraph graph) {
        if (child.blockParents().contains(parent.id())) {
            return Optional.of("blocklisted");
        }
        if (parent.host().host().getDisableShared()) {
            return Optional.of("host disables sharing");
        }
        if (parent.host().id().equals(child.host().id())) {
            return Optional.of("same host");
        }
        PeerState s = parent.state();
        if (!parent.host().isSeed() && parent.parents().isEmpty()
                && s != PeerState.BACK_TO_SOURCE && s != PeerState.SUCCEEDED) {
            return Optional.of("has no parent and no source");
        }
        if (Evaluator.isBadParent(parent)) {
            return Optional.of("bad node (" + s + ")");
        }
        if (parent.host().freeUploadSlots() <= 0) {
            return Optional.of("no free upload slot");
        }
        if (child.parents().contains(parent)) {
            return Optional.empty();
        }
        if (graph == ParentGraph.DAG && TaskDag.wouldCycle(parent, child)) {
            return Optional.of("would create a cycle");
        }
        return Optional.empty();
    }

    /**
     * Chooses and links parents for {@code child}, replacing its current parents.
     *
     * @return the chosen parents, best first; empty when none qualifies
     */
    public List<PeerRecord> select(PeerRecord child) {
        return select(child, candidateParentLimit);
    }

    /** {@link #select(PeerRecord)} keeping at most {@code limit} parents. */
    public List<PeerRecord> select(PeerRecord child, int limit) {
        PeerState cs = child.state();
        if (cs != PeerState.RECEIVED_NORMAL && cs != PeerState.RUNNING) {
            return List.of();
        }
        return chooseAndLink(child, limit, p -> true);
    }

    /**
     * Parents for a peer that reads its task from the origin: only peers holding a piece it has not finished (another
     * reader of the task, or a peer that got pieces from one), best first, at most {@code limit}, linked like
     * {@link #select}. Empty when the peer is not reading from the origin.
     */
    public List<PeerRecord> selectHolders(PeerRecord reader, int limit) {
        if (reader.state() != PeerState.BACK_TO_SOURCE) {
            return List.of();
        }
        return chooseAndLink(reader, limit, p -> {
            BitSet extra = (BitSet) p.finishedPieces().clone();
            extra.andNot(reader.finishedPieces());
            return !extra.isEmpty();
        });
    }

    /** Replaces {@code child}'s parents with the best usable sampled peers passing {@code wanted}, at most {@code limit}. */
    private List<PeerRecord> chooseAndLink(PeerRecord child, int limit, Predicate<PeerRecord> wanted) {
        TaskRecord task = child.task();
        TaskDag.removeInEdges(child);
        List<PeerRecord> sample = sample(task.peersView(), child);
        long total = task.pieceCount();
        record Scored(PeerRecord peer, double score) {
        }
        List<Scored> scored = new ArrayList<>(sample.size());
        for (PeerRecord p : sample) {
            if (wanted.test(p) && rejectReason(p, child, graph).isEmpty()) {
                scored.add(new Scored(p, evaluator.evaluate(p, child, total)));
            }
        }
        scored.sort(Comparator.comparingDouble(Scored::score).reversed());
        List<PeerRecord> chosen = new ArrayList<>(limit);
        for (Scored s : scored) {
            if (chosen.size() >= limit) {
                break;
            }
            if (link(s.peer(), child)) {
                chosen.add(s.peer());
            }
        }
        return chosen;
    }

    /**
     * Adds the edge parent→child if the parent's host has a free upload slot and the task's graph allows it.
     *
     * @return false when refused
     */
    public boolean link(PeerRecord parent, PeerRecord child) {
        return TaskDag.addEdge(parent, child, graph == ParentGraph.MESH);
    }

    private List<PeerRecord> sample(List<PeerRecord> peers, PeerRecord child) {
        int n = peers.size();
        if (n - 1 <= filterParentLimit) {
            List<PeerRecord> all = new ArrayList<>(n);
            for (PeerRecord p : peers) {
                if (p != child) {
                    all.add(p);
                }
            }
            return all;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        List<PeerRecord> out = new ArrayList<>(filterParentLimit);
        for (int i = 0; i < n && out.size() < filterParentLimit; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            PeerRecord p = peers.get(idx[i]);
            if (p != child) {
                out.add(p);
            }
        }
        return out;
    }
}

package dev.damselfly.scheduler.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Embedded scheduler settings; defaults are the Dragonfly scheduler's (spec §3.5-§3.7, §7) except
 * {@code parentGraph}.
 *
 * @param algorithm parent scoring: {@link Algorithm#BASE} (pieces, upload success, free slots, host type,
 *        IDC, location — the legacy default evaluator) or {@link Algorithm#LOAD_QUALITY} (v2.3.4+);
 *        default BASE
 * @param filterParentLimit peers of a task sampled as possible parents per attempt; default 15
 * @param candidateParentLimit parents sent in one NormalTaskResponse; default 3
 * @param retryLimit scheduling attempts before the stream fails with FAILED_PRECONDITION; default 5
 * @param retryInterval pause between attempts that found no parent; default 500 ms
 * @param retryBackToSourceLimit attempts after which a peer goes back to source if the task allows; default 4
 * @param backToSourceCount most peers of one task that may download from the origin; default 200
 * @param normalUploadLimit concurrent children per normal host (its upload slots); default 200
 * @param seedUploadLimit concurrent children per seed host; default 2000
 * @param hostTtl a host not announced for this long is forgotten with its peers; default 1 h
 * @param peerTtl a peer not updated for this long is forgotten; default 720 h (spec chart value)
 * @param taskTtl a task without peers not updated for this long is forgotten; default 24 h
 * @param gcInterval period of the expiry sweep; default 1 min
 * @param seedFailureBackoff after a failed seed trigger, the task is not sent to a seed again for this long;
 *        default 30 min
 * @param schedulingThreads threads running scheduling attempts; default 2
 * @param parentGraph which parent→child edges of a task may exist: {@link ParentGraph#DAG} (Dragonfly's: no edge that
 *        closes a cycle, spec §3.5) or {@link ParentGraph#MESH} (two peers may serve each other the pieces the other
 *        lacks); default MESH
 * @param sourceStripes most peers of one task reading it from the origin at once when a later peer stripes it (a
 *        peer whose host fetches fewer tasks from the origin than every current reader's host is told, at a top-up, to
 *        read the pieces nobody has yet from the origin too, from the other end: the origin still sends each piece
 *        about once, through more download links); 1 turns striping off; only under {@link ParentGraph#MESH}, where
 *        the readers serve each other; default 2
 */
public record SchedulerConfig(Algorithm algorithm, int filterParentLimit, int candidateParentLimit, int retryLimit,
                              Duration retryInterval, int retryBackToSourceLimit, int backToSourceCount,
                              int normalUploadLimit, int seedUploadLimit, Duration hostTtl, Duration peerTtl,
                              Duration taskTtl, Duration gcInterval, Duration seedFailureBackoff,
                              int schedulingThreads, ParentGraph parentGraph, int sourceStripes) {

    /** Default {@code sourceStripes}: 2 peers of a task reading from the origin at once. */
    public static final int DEFAULT_SOURCE_STRIPES = 2;

    /** Parent scoring algorithm. */
    public enum Algorithm { BASE, LOAD_QUALITY }

    /**
     * The shape a task's parent→child edges may take. Under {@link #DAG} a peer that registered late is a descendant of
     * the earlier ones and can never serve them, so when a swarm starts at once the later peers' uploads idle while
     * the earlier ones are saturated; {@link #MESH} lets pieces flow both ways between two peers. Pieces only ever go
     * from a peer that has announced them to one that lacks them, so a cycle cannot make two peers wait on each other.
     */
    public enum ParentGraph { DAG, MESH }

    public SchedulerConfig {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(retryInterval, "retryInterval");
        Objects.requireNonNull(hostTtl, "hostTtl");
        Objects.requireNonNull(peerTtl, "peerTtl");
        Objects.requireNonNull(taskTtl, "taskTtl");
        Objects.requireNonNull(gcInterval, "gcInterval");
        Objects.requireNonNull(seedFailureBackoff, "seedFailureBackoff");
        Objects.requireNonNull(parentGraph, "parentGraph");
        positive("filterParentLimit", filterParentLimit);
        positive("candidateParentLimit", candidateParentLimit);
        positive("retryLimit", retryLimit);
        positive("normalUploadLimit", normalUploadLimit);
        positive("seedUploadLimit", seedUploadLimit);
        positive("schedulingThreads", schedulingThreads);
        positive("sourceStripes", sourceStripes);
        if (backToSourceCount < 0 || retryBackToSourceLimit < 0) {
            throw new IllegalArgumentException("backToSourceCount and retryBackToSourceLimit must be ≥ 0");
        }
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + v);
        }
    }

    /** Dragonfly's defaults, except that peers of a task form a {@link ParentGraph#MESH}. */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(Algorithm.BASE, 15, 3, 5, Duration.ofMillis(500), 4, 200, 200, 2000,
                Duration.ofHours(1), Duration.ofHours(720), Duration.ofHours(24), Duration.ofMinutes(1),
                Duration.ofMinutes(30), 2, ParentGraph.MESH, DEFAULT_SOURCE_STRIPES);
    }

    public SchedulerConfig withParentGraph(ParentGraph g) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, g, sourceStripes);
    }

    public SchedulerConfig withAlgorithm(Algorithm a) {
        return new SchedulerConfig(a, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withRetry(int limit, Duration interval, int backToSourceLimit) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, limit, interval,
                backToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withBackToSourceCount(int n) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, n, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withUploadLimits(int normal, int seed) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normal, seed, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withExpiry(Duration host, Duration peer, Duration task, Duration gc) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, host, peer, task,
                gc, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withLimits(int filterParents, int candidateParents) {
        return new SchedulerConfig(algorithm, filterParents, candidateParents, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, sourceStripes);
    }

    public SchedulerConfig withSourceStripes(int n) {
        return new SchedulerConfig(algorithm, filterParentLimit, candidateParentLimit, retryLimit, retryInterval,
                retryBackToSourceLimit, backToSourceCount, normalUploadLimit, seedUploadLimit, hostTtl, peerTtl, taskTtl,
                gcInterval, seedFailureBackoff, schedulingThreads, parentGraph, n);
    }
}

package dev.damselfly.e2e.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scenarios, parameterised by a {@link ScenarioConfig}; each builds its own {@link Cluster}, runs, and
 * returns a {@link ScenarioResult}. A pull that fails or returns a byte that does not match its digest throws
 * {@link PullFailedException}; everything else (speed, egress, avoidance) is reported for the caller to judge.
 */
final class ClusterScenarios {
    /** GETs allowed per layer when nodes are being killed (S3): 600, one second apart (a node may be down a while). */
    static final int CHURN_ATTEMPTS = 600;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterScenarios.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterScenarios() {
    }

    /**
     * S1: every node pulls the image at once (or {@code staggerMillis} apart); then one layer straight from the
     * registry, alone, as the {@link LinkReference}.
     */
    static ScenarioResult swarm(ScenarioConfig cfg, Path work) throws Exception {
        long t0 = System.nanoTime();
        try (Cluster c = Cluster.start(cfg, work.resolve("s1"), i -> List.of())) {
            Measured m = measure(c, c.nodes(), cfg.staggerMillis());
            LinkReference link = LinkReference.measure(c); // after the egress count: its bytes are not the swarm's
            ScenarioResult r = new ScenarioResult("s1", "S1 swarm", cfg, seconds(m.timings()), m.egress(), since(t0),
                    notes(traffic(c, c.nodes()), m.load(), m.where()));
            return r.withNote(link.note(r.p50(), r.lowerBound()));
        }
    }

    /**
     * S1 on warmed-up nodes: before the timed pull every node pulls an unrelated image of the same number of layers,
     * {@code warmUpLayerBytes} each, all at once (untimed, before the registry mark), so the node JVMs have compiled
     * their transfer paths, as the nodes of a DaemonSet that has run for a while have. S1 itself measures fresh JVMs.
     */
    static ScenarioResult warmSwarm(ScenarioConfig cfg, Path work, long warmUpLayerBytes) throws Exception {
        long t0 = System.nanoTime();
        List<String> warmUp = new ArrayList<>();
        Cluster.Seeder pushWarmUp = registry -> {
            long seed = System.nanoTime() ^ 0x5EEDL;
            for (int i = 0; i < cfg.layers(); i++) {
                warmUp.add(registry.pushBlob(Cluster.REPO, seed + i, warmUpLayerBytes));
            }
        };
        try (Cluster c = Cluster.start(cfg, work.resolve("s1-warm"), i -> List.of(), pushWarmUp)) {
            long w0 = System.nanoTime();
            LabCpu beforeWarmUp = LabCpu.read(c);
            pullAll(c, c.nodes(), 0, (node, cluster) -> cluster.pullBlobs(node, warmUp, warmUpLayerBytes, 1));
            String warmUpCpu = LabCpu.read(c).since(beforeWarmUp);
            double warmUpSeconds = (System.nanoTime() - w0) / 1e9;
            double[] counters = trafficCounters(c.nodes());
            Measured m = measure(c, c.nodes(), cfg.staggerMillis());
            String warmNote = String.format("warm-up (untimed, before the registry mark): every node pulled an unrelated "
                    + "image of %d × %d MiB at once, %.1f s; %s", cfg.layers(), warmUpLayerBytes / ScenarioConfig.MIB,
                    warmUpSeconds, warmUpCpu.replace("CPU seconds during the pulls", "CPU seconds"));
            return new ScenarioResult("s1-warm", "S1 swarm, warmed-up nodes", cfg, seconds(m.timings()), m.egress(),
                    since(t0), notes(warmNote, trafficSince(c, c.nodes(), counters), m.load(), m.where()));
        }
    }

    /** S2: a rolling update, node i starts its pull {@code intervalMillis} after node i−1; each timed from its start. */
    static ScenarioResult rolling(ScenarioConfig cfg, Path work, long intervalMillis) throws Exception {
        long t0 = System.nanoTime();
        ScenarioConfig run = cfg.withStagger(intervalMillis);
        try (Cluster c = Cluster.start(run, work.resolve("s2"), i -> List.of())) {
            Measured m = measure(c, c.nodes(), intervalMillis);
            return new ScenarioResult("s2", "S2 rolling", run, seconds(m.timings()), m.egress(), since(t0),
                    notes(traffic(c, c.nodes()), m.load(), m.where()));
        }
    }

    /**
     * S3: as S1, while every {@code killEveryMillis} one node after another (round robin, skipping nodes still
     * restarting) is SIGKILLed and restarted on the same data directory, at most {@code maxKills} times. A pull
     * through a killed node is retried (containerd does) until it is back.
     */
    static ScenarioResult churn(ScenarioConfig cfg, Path work, long killEveryMillis, int maxKills) throws Exception {
        long t0 = System.nanoTime();
        try (Cluster c = Cluster.start(cfg, work.resolve("s3"), i -> List.of())) {
            var mark = c.registry().mark();
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger kills = new AtomicInteger();
            List<String> victims = new ArrayList<>();
            List<Thread> restarts = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread churner = new Thread(() -> {
                int next = 0;
                try {
                    while (!done.get() && kills.get() < maxKills) {
                        Thread.sleep(killEveryMillis);
                        // the next node (round robin) that is up; a node still restarting is skipped this round
                        LabNode victim = null;
                        for (int k = 0; k < c.nodes().size() && victim == null; k++) {
                            LabNode candidate = c.nodes().get(next++ % c.nodes().size());
                            if (candidate.alive() && !candidate.restarting()) {
                                victim = candidate;
                            }
                        }
                        if (done.get() || victim == null) {
                            continue;
                        }
                        synchronized (victims) {
                            victims.add(victim.name());
                        }
                        kills.incrementAndGet();
                        LabNode v = victim;
                        Thread restart = new Thread(() -> {
                            try {
                                v.killAndRestart();
                            } catch (Exception e) {
                                LOG.warn("churn restart failed node={} error={}", v.name(), e.toString());
                            }
                        }, "restart-" + v.name());
                        restarts.add(restart);
                        restart.start();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "churn");
            churner.start();
            Map<String, Cluster.PullTiming> t;
            try {
                t = pullAll(c, c.nodes(), cfg.staggerMillis(), CHURN_ATTEMPTS);
            } finally {
                done.set(true);
                churner.interrupt();
                churner.join(120_000);
                for (Thread r : restarts) {
                    r.join(120_000);
                }
            }
            long egress = c.registry().blobBytesServedSince(mark, true);
            int retries = t.values().stream().mapToInt(p -> p.gets() - cfg.layers()).sum();
            List<String> notes = List.of("SIGKILL + restart every " + killEveryMillis / 1000.0 + " s: " + kills.get()
                    + " kills (" + String.join(", ", victims) + ")",
                    retries + " layer GETs failed and were retried (1 s apart) while their node was down or restarting");
            return new ScenarioResult("s3", "S3 churn", cfg, seconds(t), egress, since(t0), notes,
                    Map.of("kills", (long) kills.get(), "retries", (long) retries));
        }
    }

    /**
     * S4: node n1 corrupts {@code corruptRatio} of the pieces it uploads. It pulls the image first (so it can serve
     * every piece), then the others pull; they must receive only correct bytes and avoid n1 after its first bad piece.
     * Only the honest nodes are timed; egress counts their pulls.
     */
    static ScenarioResult byzantine(ScenarioConfig cfg, Path work, double corruptRatio) throws Exception {
        long t0 = System.nanoTime();
        try (Cluster c = Cluster.start(cfg, work.resolve("s4"),
                i -> i == 0 ? List.of("upload.testCorruptRatio=" + corruptRatio) : List.of())) {
            LabNode liar = c.nodes().get(0);
            c.pullImage(liar, 1);
            List<LabNode> honest = c.nodes().subList(1, c.nodes().size());
            Measured m = measure(c, honest, cfg.staggerMillis());
            int corrupted = count(liar.log(), Pattern.compile("TEST-ONLY fault: corrupting"));
            double sentImages = liar.metric("dragonfly_client_upload_traffic") / cfg.imageBytes();
            List<String> notes = new ArrayList<>();
            notes.add(String.format("faulty node n1 (upload.testCorruptRatio=%s) corrupted %d piece uploads; it sent %.2f×"
                    + " the image in all", corruptRatio, corrupted, sentImages));
            int received = 0;
            int maxPerNode = 0;
            int hit = 0;
            int avoided = 0;
            for (LabNode h : honest) {
                String log = h.log();
                int got = count(log, Pattern.compile("corrupt piece from parent .*parent=" + Pattern.quote(liar.host().ip()) + ":"));
                received += got;
                maxPerNode = Math.max(maxPerNode, got);
                boolean avoids = log.contains("parent_host=" + liar.hostId())
                        || JSON.readTree(h.admin("/api/v1/peers")).path("avoidedParentHosts").toString().contains(liar.hostId());
                if (got > 0) {
                    hit++;
                    if (avoids) {
                        avoided++;
                    }
                }
            }
            notes.add(received + " corrupt pieces caught by " + hit + " of " + honest.size() + " honest nodes (at most "
                    + maxPerNode + " per node), 0 corrupt bytes delivered");
            notes.add(avoided + " of the " + hit + " nodes that received a bad piece avoid n1");
            notes.add("registry egress counts the honest nodes' pulls only: n1 already holds the whole image, so every byte"
                    + " the registry served here is a piece that a node avoiding n1 found on no honest peer yet");
            notes.addAll(notes(m.load(), m.where()));
            return new ScenarioResult("s4", "S4 byzantine", cfg, seconds(m.timings()), m.egress(), since(t0), notes,
                    Map.of("corrupted", (long) corrupted, "caught", (long) received, "hitNodes", (long) hit,
                            "avoidingNodes", (long) avoided, "maxCaughtPerNode", (long) maxPerNode));
        }
    }

    /**
     * S6: the first {@code warmNodes} nodes pull the image, then the registry's link is cut; the rest must still
     * get every layer from their peers (nodes run with {@code proxy.servePeersWhenRegistryUnreachable=true}: without
     * it a node refuses to serve a blob the registry cannot confirm the client may read). Only the cold nodes are timed; egress counts the warm-up.
     */
    static ScenarioResult registryDown(ScenarioConfig cfg, Path work, int warmNodes) throws Exception {
        long t0 = System.nanoTime();
        try (Cluster c = Cluster.start(cfg, work.resolve("s6"), i -> List.of("proxy.servePeersWhenRegistryUnreachable=true"))) {
            var mark = c.registry().mark();
            List<LabNode> warm = c.nodes().subList(0, warmNodes);
            List<LabNode> cold = c.nodes().subList(warmNodes, c.nodes().size());
            Map<String, Cluster.PullTiming> w = pullAll(c, warm, cfg.staggerMillis(), 1);
            long egress = c.registry().blobBytesServedSince(mark, true);
            c.lab().setLink(c.registry().host(), false);
            Map<String, Cluster.PullTiming> t = pullAll(c, cold, cfg.staggerMillis(), 1);
            double warmMax = w.values().stream().mapToDouble(Cluster.PullTiming::seconds).max().orElse(0);
            List<String> notes = List.of(warmNodes + " nodes warmed up (slowest " + String.format("%.1f", warmMax)
                    + " s) before the registry's link was cut; " + cold.size() + " nodes then pulled with the registry unreachable");
            return new ScenarioResult("s6", "S6 registry down", cfg, seconds(t), egress, since(t0), notes,
                    Map.of("coldNodes", (long) t.size()));
        }
    }

    /** Pulls the image on every node, node i starting {@code i × staggerMillis} after the first; node → timing. */
    static Map<String, Cluster.PullTiming> pullAll(Cluster c, List<LabNode> nodes, long staggerMillis, int attempts)
            throws Exception {
        return pullAll(c, nodes, staggerMillis, (node, cluster) -> cluster.pullImage(node, attempts));
    }

    /** One node's pull. */
    @FunctionalInterface
    interface NodePull {
        Cluster.PullTiming pull(LabNode node, Cluster c) throws Exception;
    }

    /** Runs {@code pull} on every node, node i starting {@code i × staggerMillis} after the first; node → timing. */
    static Map<String, Cluster.PullTiming> pullAll(Cluster c, List<LabNode> nodes, long staggerMillis, NodePull pull)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<Cluster.PullTiming>> pulls = new ArrayList<>();
            for (int i = 0; i < nodes.size(); i++) {
                LabNode n = nodes.get(i);
                long delay = i * staggerMillis;
                pulls.add(pool.submit(() -> {
                    Thread.sleep(delay);
                    return pull.pull(n, c);
                }));
            }
            Map<String, Cluster.PullTiming> out = new LinkedHashMap<>();
            for (Future<Cluster.PullTiming> f : pulls) {
                Cluster.PullTiming p;
                try {
                    p = f.get();
                } catch (ExecutionException e) {
                    throw new PullFailedException("(one of " + nodes.size() + ")", "image " + Cluster.REPO,
                            e.getCause() + "\n" + c.logs(3000));
                }
                out.put(p.node(), p);
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The timed part of a scenario: each node's pull, the registry's egress meanwhile, and where the CPU went. */
    record Measured(Map<String, Cluster.PullTiming> timings, long egress, String load, String where) {
    }

    /** Pulls the image on {@code nodes} ({@code staggerMillis} apart, no retry), measuring from a fresh registry mark. */
    static Measured measure(Cluster c, List<LabNode> nodes, long staggerMillis) throws Exception {
        var mark = c.registry().mark();
        CpuMeter cpu = CpuMeter.read();
        LabCpu split = LabCpu.read(c);
        Map<String, Cluster.PullTiming> t = pullAll(c, nodes, staggerMillis, 1);
        String load = CpuMeter.read().since(cpu);
        String where = LabCpu.read(c).since(split);
        return new Measured(t, c.registry().blobBytesServedSince(mark, true), load, where);
    }

    /** The non-blank ones of {@code notes}, in order. */
    private static List<String> notes(String... notes) {
        return java.util.Arrays.stream(notes).filter(n -> !n.isBlank()).toList();
    }

    /**
     * Where the nodes' bytes came from (their download-traffic counters), as multiples of the image, and how many
     * piece requests parents refused as busy (at their upload cap), also per GiB the nodes took from peers, and how many
     * they deflected as repeats (a piece they were sending to another child while they had others to send).
     */
    static String traffic(Cluster c, List<LabNode> nodes) throws Exception {
        return trafficSince(c, nodes, new double[4]);
    }

    /**
     * The nodes' counters summed: {back-to-source bytes, bytes from peers, piece requests refused as busy, piece
     * requests deflected as repeats}.
     */
    static double[] trafficCounters(List<LabNode> nodes) throws Exception {
        double source = 0;
        double peers = 0;
        double busy = 0;
        double repeats = 0;
        for (LabNode n : nodes) {
            source += n.metric("dragonfly_client_download_traffic{type=\"BACK_TO_SOURCE\"}");
            peers += n.metric("dragonfly_client_download_traffic{type=\"REMOTE_PEER\"}");
            busy += n.metric("dragonfly_client_upload_piece_failure_total{reason=\"busy\"}");
            repeats += n.metric("dragonfly_client_upload_piece_failure_total{reason=\"repeat\"}");
        }
        return new double[] {source, peers, busy, repeats};
    }

    /** {@link #traffic} counting only what the counters gained since {@code before} ({@link #trafficCounters}). */
    static String trafficSince(Cluster c, List<LabNode> nodes, double[] before) throws Exception {
        double[] now = trafficCounters(nodes);
        double f = c.config().imageBytes();
        double peerGib = (now[1] - before[1]) / (1024.0 * 1024 * 1024);
        double busy = now[2] - before[2];
        return String.format("nodes' download counters: %.2f× the image back-to-source, %.2f× from peers; "
                + "%.0f piece requests refused by parents as busy (%.0f per GiB from peers), %.0f deflected as repeats",
                (now[0] - before[0]) / f, (now[1] - before[1]) / f, busy, peerGib == 0 ? 0 : busy / peerGib,
                now[3] - before[3]);
    }

    private static Map<String, Double> seconds(Map<String, Cluster.PullTiming> t) {
        Map<String, Double> s = new LinkedHashMap<>();
        t.forEach((k, v) -> s.put(k, v.seconds()));
        return s;
    }

    private static double since(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static int count(String text, Pattern p) {
        int n = 0;
        var m = p.matcher(text);
        while (m.find()) {
            n++;
        }
        return n;
    }
}

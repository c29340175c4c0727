package dev.damselfly.scheduler.server.bench;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Network;
import dev.damselfly.scheduler.proto.common.v2.Priority;
import dev.damselfly.scheduler.server.SchedulerConfig;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.PeerState;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import dev.damselfly.scheduler.server.scheduling.GrpcSeedPeerTrigger;
import dev.damselfly.scheduler.server.scheduling.Scheduling;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scheduling decisions per second and heap per peer with 1,000 peers on 100 tasks (10 peers per task, each on its
 * own host: 2 finished sources and 8 running peers with random partial pieces). A decision is one
 * candidate-parent selection for a running peer (sample, filter, score, link) as done for a register or a
 * reschedule. Writes its section of BENCHMARKS.md.
 *
 * <p>Usage: {@code SchedulerBench BENCHMARKS.md [rounds] [secondsPerRound]}.
 */
public final class SchedulerBench {
    private static final int TASKS = 100;
    private static final int PEERS_PER_TASK = 10;
    private static final int SOURCES_PER_TASK = 2;
    private static final int PIECES = 64;
    private static final long PIECE = 4L << 20;

    private SchedulerBench() {
    }

    record World(ResourceStore store, Scheduling scheduling, List<PeerRecord> running) {
    }

    static World build(SchedulerConfig.Algorithm algorithm) {
        SchedulerConfig config = SchedulerConfig.defaults().withAlgorithm(algorithm);
        ResourceStore store = new ResourceStore(config.normalUploadLimit(), config.seedUploadLimit());
        Scheduling scheduling = new Scheduling(config, store, new GrpcSeedPeerTrigger());
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        List<PeerRecord> running = new ArrayList<>();
        long now = System.nanoTime();
        int hostN = 0;
        for (int t = 0; t < TASKS; t++) {
            TaskRecord task = store.taskOrCreate(String.format("%064x", t), now);
            task.absorb(Download.newBuilder().setUrl("https://origin.example/blob/" + t)
                    .setActualContentLength(PIECES * PIECE).setActualPieceLength(PIECE).build(), now);
            for (int p = 0; p < PEERS_PER_TASK; p++, hostN++) {
                String name = "host-" + hostN;
                Host h = Host.newBuilder().setId("10.0." + (hostN / 250) + "." + (hostN % 250) + "-" + name)
                        .setHostname(name).setIp("10.0." + (hostN / 250) + "." + (hostN % 250)).setPort(4000)
                        .setDownloadPort(4000)
                        .setNetwork(Network.newBuilder().setMaxTxBandwidth(10_000_000_000L)
                                .setIdc("idc" + (hostN % 3)).setLocation("cn|r" + (hostN % 4) + "|z" + (hostN % 7)))
                        .build();
                HostRecord host = store.announceHost(h, now);
                PeerRecord peer = new PeerRecord("peer-" + t + "-" + p, task, host, Priority.LEVEL0, 8, false, now);
                store.addPeer(peer);
                synchronized (task) {
                    if (p < SOURCES_PER_TASK) {
                        for (int i = 0; i < PIECES; i++) {
                            peer.finishPiece(i, PIECE, 5_000_000 + rnd.nextInt(1_000_000), now);
                        }
                        peer.setState(PeerState.SUCCEEDED, now);
                    } else {
                        int have = rnd.nextInt(PIECES);
                        for (int i = 0; i < have; i++) {
                            peer.finishPiece(i, PIECE, 5_000_000 + rnd.nextInt(1_000_000), now);
                        }
                        peer.setState(PeerState.RUNNING, now);
                        running.add(peer);
                    }
                }
            }
        }
        // initial parents for every running peer, so the DAG is populated
        for (PeerRecord p : running) {
            scheduling.selectParents(p);
        }
        return new World(store, scheduling, running);
    }

    /** Decisions per second over {@code seconds} with {@code threads} threads. */
    static double rate(World w, int threads, double seconds) throws InterruptedException {
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(threads);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                long local = 0;
                while (!stop.get()) {
                    PeerRecord p = w.running().get(rnd.nextInt(w.running().size()));
                    w.scheduling().selectParents(p);
                    local++;
                }
                count.add(local);
                done.countDown();
            });
            t.start();
        }
        long start = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        done.await();
        return count.sum() / ((System.nanoTime() - start) / 1e9);
    }

    static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;

        long before = usedHeap();
        World base = build(SchedulerConfig.Algorithm.BASE);
        long after = usedHeap();
        long heap = after - before;
        World load = build(SchedulerConfig.Algorithm.LOAD_QUALITY);

        // warm-up
        rate(base, 1, 2);
        rate(load, 1, 1);
        List<Double> b1 = new ArrayList<>();
        List<Double> l1 = new ArrayList<>();
        List<Double> b2 = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            b1.add(rate(base, 1, seconds));
            l1.add(rate(load, 1, seconds));
            b2.add(rate(base, 2, seconds));
        }
        int peers = TASKS * PEERS_PER_TASK;
        String cpu = cpuName();
        String md = String.format(Locale.ROOT, """
                ## Embedded scheduler: scheduling decisions and heap

                Measured %s on %d cores (%s), JDK %s: %d peers on %d tasks (%d per task, each on its own host: %d \
                finished sources and %d running peers with random partial pieces, %d pieces per task). A decision is one \
                candidate-parent selection for a running peer (sample ≤ 15 peers, filters, evaluator, keep 3, relink the \
                DAG), as for a register or a reschedule; %d rounds of %.1f s after warm-up, median.

                | evaluator | threads | decisions/s (median) | min | max |
                |---|---:|---:|---:|---:|
                | base (default) | 1 | %,.0f | %,.0f | %,.0f |
                | load quality (v2.3.4+) | 1 | %,.0f | %,.0f | %,.0f |
                | base (default) | 2 | %,.0f | %,.0f | %,.0f |

                Heap held by the scheduler's state for these %d peers, %d hosts and %d tasks (used heap after full GC, \
                before vs after building it): %.1f MiB, about %,d bytes per peer (host and task share included).

                Reproduce: `scheduler/bench/scheduler-bench` (optional arguments: ROUNDS SECONDS_PER_ROUND).
                """, LocalDate.now(), Runtime.getRuntime().availableProcessors(), cpu,
                System.getProperty("java.version"), peers, TASKS, PEERS_PER_TASK, SOURCES_PER_TASK,
                PEERS_PER_TASK - SOURCES_PER_TASK, PIECES, rounds, seconds,
                median(b1), min(b1), max(b1), median(l1), min(l1), max(l1), median(b2), min(b2), max(b2),
                peers, peers, TASKS, heap / 1048576.0, heap / peers);
        System.out.println(md);
        writeSection(out, "scheduler", md);
        base.scheduling().close();
        load.scheduling().close();
        System.out.println("wrote section 'scheduler' of " + out.toAbsolutePath()
                + " (JVM: " + ManagementFactory.getRuntimeMXBean().getInputArguments() + ")");
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** Replaces only the text between this benchmark's markers (appends the section when absent). */
    static void writeSection(Path file, String name, String markdown) throws IOException {
        String start = "<!-- bench:" + name + ":start -->";
        String end = "<!-- bench:" + name + ":end -->";
        String block = start + "\n" + markdown.strip() + "\n" + end;
        String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        int s = text.indexOf(start);
        int e = text.indexOf(end);
        if (s >= 0 && e > s) {
            text = text.substring(0, s) + block + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + block + "\n";
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}

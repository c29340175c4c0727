package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.PieceTransfer;
import dev.damselfly.exchange.PieceTransferException;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskInfo;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.BitSet;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY: an in-process stand-in for the wire (Vortex TCP and DfdaemonUpload SyncPieces, written in the
 * {@code vortex} and {@code upload} packages). Nodes register their real {@link PieceStore} under a fake gRPC
 * port (what the scheduler names as Host.port) and a fake Vortex port (what announcements carry);
 * {@link #transfer} copies a piece from the parent's store into the child's store through the real
 * {@link PieceStore#writePiece} with the parent's CRC-32 (so a corrupted copy raises the store's real
 * {@link dev.damselfly.piecestore.DigestMismatchException}); {@link #availability} announces what the parent's
 * store has, polling it every 5 ms. Faults can be injected per parent Vortex port.
 */
final class InProcessSwarm implements AutoCloseable {
    /** What a transfer from a parent does. */
    enum Fault { NONE, THROW, CORRUPT }

    /** Decides the fault of each transfer: (parent tcp port, piece number, transfers from that port so far). */
    interface FaultPlan {
        Fault of(int tcpPort, int piece, int attempt);
    }

    private final Map<Integer, PieceStore> byGrpcPort = new ConcurrentHashMap<>();
    private final Map<Integer, PieceStore> byTcpPort = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> tcpOfGrpc = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> transfersFrom = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> faultsFrom = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "test-sync-pieces");
        t.setDaemon(true);
        return t;
    });
    private volatile FaultPlan faults = (port, piece, attempt) -> Fault.NONE;

    void register(int grpcPort, int tcpPort, PieceStore store) {
        byGrpcPort.put(grpcPort, store);
        byTcpPort.put(tcpPort, store);
        tcpOfGrpc.put(grpcPort, tcpPort);
    }

    void faults(FaultPlan plan) {
        this.faults = plan;
    }

    /** Transfers attempted from the parent at this Vortex port. */
    int transfersFrom(int tcpPort) {
        return transfersFrom.computeIfAbsent(tcpPort, k -> new AtomicInteger()).get();
    }

    /** Faults injected on transfers from the parent at this Vortex port. */
    int faultsFrom(int tcpPort) {
        return faultsFrom.computeIfAbsent(tcpPort, k -> new AtomicInteger()).get();
    }

    PieceTransfer transfer() {
        return this::fetchInto;
    }

    PieceAvailability availability() {
        return this::subscribe;
    }

    private PieceInfo fetchInto(PieceStore child, String taskId, int number, String ip, int tcpPort, Duration timeout) {
        String parent = ip + ":" + tcpPort;
        PieceStore source = byTcpPort.get(tcpPort);
        if (source == null) {
            throw new PieceTransferException(parent, taskId, number, "connection refused", null);
        }
        int attempt = transfersFrom.computeIfAbsent(tcpPort, k -> new AtomicInteger()).getAndIncrement();
        Optional<PieceInfo> info = source.pieceInfo(taskId, number);
        if (info.isEmpty()) {
            throw new PieceTransferException(parent, taskId, number, "piece not found on parent", null);
        }
        ByteBuffer bytes = source.readPiece(taskId, number);
        Fault fault = faults.of(tcpPort, number, attempt);
        if (fault != Fault.NONE) {
            faultsFrom.computeIfAbsent(tcpPort, k -> new AtomicInteger()).incrementAndGet();
        }
        if (fault == Fault.THROW) {
            throw new PieceTransferException(parent, taskId, number, "injected: connection reset mid-piece", null);
        }
        if (fault == Fault.CORRUPT) {
            ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).put(bytes.duplicate()).flip();
            copy.put(copy.limit() / 2, (byte) (copy.get(copy.limit() / 2) ^ 0x5a));
            bytes = copy;
        }
        return child.writePiece(taskId, number, bytes, info.get().digest());
    }

    private PieceAvailability.Subscription subscribe(ParentEndpoint parent, String taskId, String childHostId,
                                                     Collection<Integer> interested, PieceAvailability.Listener listener) {
        PieceStore source = byGrpcPort.get(parent.grpcPort());
        Integer tcpPort = tcpOfGrpc.get(parent.grpcPort());
        BitSet pending = new BitSet();
        interested.forEach(pending::set);
        Object lock = new Object();
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        Runnable poll = () -> {
            synchronized (lock) {
                Optional<TaskInfo> info = source == null ? Optional.empty() : source.taskInfo(taskId);
                if (info.isEmpty()) {
                    listener.onError(new IllegalStateException("task " + taskId + " not found on " + parent.address()));
                    task[0].cancel(false);
                    return;
                }
                for (int n = pending.nextSetBit(0); n >= 0; n = pending.nextSetBit(n + 1)) {
                    if (source.hasPiece(taskId, n)) {
                        PieceInfo p = source.pieceInfo(taskId, n).orElseThrow();
                        pending.clear(n);
                        listener.onPiece(new PieceAnnouncement(n, p.offset(), p.length(), "127.0.0.1", tcpPort));
                    }
                }
                if (pending.isEmpty() && source.taskInfo(taskId).map(TaskInfo::complete).orElse(false)) {
                    listener.onCompleted();
                    task[0].cancel(false);
                }
            }
        };
        synchronized (lock) {
            task[0] = poller.scheduleWithFixedDelay(poll, 0, 5, TimeUnit.MILLISECONDS);
        }
        return () -> task[0].cancel(false);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}

package dev.damselfly.exchange.vortex;

import dev.damselfly.exchange.PieceFileRegion;
import dev.damselfly.exchange.TokenBucket;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.PieceNotFoundException;
import dev.damselfly.piecestore.PieceRegion;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskLease;
import dev.damselfly.piecestore.TaskNotFoundException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one DownloadPiece request: takes an upload permit, waits for the rate limit (by piece length), takes the
 * piece region from the store, writes header + metadata and then the body zero-copy, and closes the connection.
 * The blocking steps (rate limit, store reads) run on the upload executor, never on an event loop.
 */
final class PieceUploader {
    /** Start of the Error message a parent at its upload cap answers (code INTERNAL, as Dragonfly's overload). */
    static final String BUSY_MESSAGE_PREFIX = "too many concurrent uploads (max ";
    /**
     * Start of the Error message a parent answers a request for a piece it is sending, or has just sent, to another
     * child while it also sends other pieces ({@link RecentCopies}; code INTERNAL, like the busy answer).
     */
    static final String REPEAT_MESSAGE_PREFIX = "piece being served to another child, ask for another piece (hold ";
    private static final Logger LOG = LoggerFactory.getLogger(PieceUploader.class);

    private final PieceStore store;
    private final String hostId;
    private final TokenBucket rate;
    private final Semaphore permits;
    private final int maxConcurrent;
    private final UploadFaults faults;
    private final UploadMetrics metrics;
    private final ExecutorService executor;
    private final RecentCopies copies;

    PieceUploader(PieceStore store, String hostId, TokenBucket rate, int maxConcurrent, UploadFaults faults,
                  UploadMetrics metrics, ExecutorService executor, RecentCopies copies) {
        this.store = store;
        this.hostId = hostId;
        this.rate = rate;
        this.maxConcurrent = maxConcurrent;
        this.permits = new Semaphore(maxConcurrent);
        this.faults = faults;
        this.metrics = metrics;
        this.executor = executor;
        this.copies = copies;
    }

    /** Called on the event loop with a parsed request. */
    void accept(Channel ch, DownloadPieceRequest r) {
        if (faults.alwaysBusy() || !permits.tryAcquire()) {
            metrics.failed("busy");
            // flow control, not an event for operators: a swarm hears thousands (the failure counter has them)
            LOG.debug("piece upload refused: task_id={} piece={} child={} reason=busy max_concurrent={}",
                    r.taskId(), r.number(), ch.remoteAddress(), maxConcurrent);
            sendError(ch, r.packetId(), VortexErrorCode.INTERNAL, BUSY_MESSAGE_PREFIX + maxConcurrent + ")");
            return;
        }
        if (!copies.tryBegin(r.taskId(), r.number(), metrics.active.get())) {
            permits.release();
            metrics.failed("repeat");
            LOG.debug("piece upload deflected: task_id={} piece={} child={} reason=repeat hold_ms={}", r.taskId(),
                    r.number(), ch.remoteAddress(), copies.holdMillis());
            sendError(ch, r.packetId(), VortexErrorCode.INTERNAL, REPEAT_MESSAGE_PREFIX + copies.holdMillis() + " ms)");
            return;
        }
        metrics.active.incrementAndGet();
        try {
            executor.execute(() -> upload(ch, r));
        } catch (RejectedExecutionException e) {
            copies.end(r.taskId(), r.number(), false);
            release();
            metrics.failed("internal");
            sendError(ch, r.packetId(), VortexErrorCode.INTERNAL, "piece server is shutting down");
        }
    }

    /** Called on the event loop with a request that could not be parsed. */
    void reject(Channel ch, InvalidRequest r) {
        metrics.failed("invalid");
        LOG.info("piece request rejected: child={} reason={}", ch.remoteAddress(), r.reason());
        sendError(ch, r.packetId(), VortexErrorCode.INVALID_ARGUMENT, r.reason());
    }

    private void upload(Channel ch, DownloadPieceRequest r) {
        boolean handedOff = false;
        long started = System.nanoTime();
        TaskLease lease = null;
        try {
            lease = store.pin(r.taskId()); // garbage collection leaves the task alone until the body is sent
            Optional<PieceInfo> found = store.pieceInfo(r.taskId(), r.number());
            if (found.isEmpty()) {
                notFound(ch, r, "not stored");
                return;
            }
            PieceInfo info = found.get();
            rate.acquire(info.length());
            if (!ch.isActive()) {
                metrics.failed("io");
                LOG.debug("piece upload dropped: task_id={} piece={} child={} reason=child gone", r.taskId(),
                        r.number(), ch.remoteAddress());
                return;
            }
            Object body = body(ch, store.region(r.taskId(), r.number()));
            PieceMetadata md = new PieceMetadata(r.number(), info.offset(), info.length(), info.digest(), hostId,
                    PieceMetadata.TRAFFIC_REMOTE_PEER, 0, Instant.now().getEpochSecond());
            ch.write(VortexCodec.encodePieceContentHeader(ch.alloc(), r.packetId(), md));
            handedOff = true;
            TaskLease held = lease;
            ch.writeAndFlush(body).addListener((ChannelFutureListener) f -> {
                held.close();
                copies.end(r.taskId(), r.number(), f.isSuccess());
                release();
                if (f.isSuccess()) {
                    metrics.uploaded(info.length());
                    LOG.debug("piece uploaded: task_id={} piece={} child={} bytes={} ms={}", r.taskId(), r.number(),
                            ch.remoteAddress(), info.length(), (System.nanoTime() - started) / 1_000_000);
                } else {
                    metrics.failed("io");
                    LOG.info("piece upload failed: task_id={} piece={} child={} error={}", r.taskId(), r.number(),
                            ch.remoteAddress(), f.cause().toString());
                }
                ch.close();
            });
        } catch (TaskNotFoundException | PieceNotFoundException e) {
            notFound(ch, r, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.failed("internal");
            sendError(ch, r.packetId(), VortexErrorCode.INTERNAL, "interrupted");
        } catch (RuntimeException | IOException e) {
            metrics.failed("internal");
            LOG.warn("piece upload failed: task_id={} piece={} child={} error={}", r.taskId(), r.number(),
                    ch.remoteAddress(), e.toString());
            sendError(ch, r.packetId(), VortexErrorCode.INTERNAL, e.getClass().getSimpleName() + ": " + e.getMessage());
        } finally {
            if (!handedOff) {
                if (lease != null) {
                    lease.close();
                }
                copies.end(r.taskId(), r.number(), false);
                release();
            }
        }
    }

    /** The zero-copy body, or (TEST-ONLY faults) a corrupted copy; either way the region is closed once sent. */
    private Object body(Channel ch, PieceRegion region) throws IOException {
        if (faults.corruptRatio() <= 0.0 || ThreadLocalRandom.current().nextDouble() >= faults.corruptRatio()) {
            return new PieceFileRegion(region);
        }
        try (region) {
            int length = (int) region.length();
            ByteBuf copy = ch.alloc().buffer(length);
            try {
                region.read(copy.nioBuffer(0, length), 0);
                copy.writerIndex(length);
                if (length > 0) {
                    int at = length / 2;
                    copy.setByte(at, copy.getByte(at) ^ 0xFF);
                }
                LOG.warn("TEST-ONLY fault: corrupting body of task_id={} piece={} for child={}", region.taskId(),
                        region.pieceNumber(), ch.remoteAddress());
                return copy;
            } catch (IOException | RuntimeException e) {
                copy.release();
                throw e;
            }
        }
    }

    private void notFound(Channel ch, DownloadPieceRequest r, String why) {
        metrics.failed("not_found");
        LOG.debug("piece not found: task_id={} piece={} child={} reason={}", r.taskId(), r.number(),
                ch.remoteAddress(), why);
        sendError(ch, r.packetId(), VortexErrorCode.NOT_FOUND,
                "task " + r.taskId() + " piece " + r.number() + " not found: " + why);
    }

    private void release() {
        metrics.active.decrementAndGet();
        permits.release();
    }

    static void sendError(Channel ch, byte packetId, VortexErrorCode code, String message) {
        ch.writeAndFlush(VortexCodec.encodeError(ch.alloc(), packetId, code, message))
                .addListener(ChannelFutureListener.CLOSE);
    }
}

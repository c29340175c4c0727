package dev.damselfly.proxy;

import dev.damselfly.proxy.p2p.BlobFetch;
import dev.damselfly.proxy.p2p.BlobFetcher;
import dev.damselfly.proxy.p2p.BlobRegions;
import dev.damselfly.proxy.p2p.BlobRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one P2P blob GET from a {@link BlobFetcher}: opens the fetch on the fetch executor (never on the
 * event loop), resolves the client's range against the blob's length, and streams the fetch's blocking
 * {@link InputStream} to the client one read at a time. Each read runs as its own task on the executor;
 * after a buffer is handed to the socket the next read is scheduled only while the client's channel is
 * writable, otherwise it waits for {@link #resume()} (the channel drained below its low-water mark), so a
 * slow client holds at most the channel's high-water mark plus one read and no thread. On a plain-TCP connection
 * a fetch that offers {@linkplain BlobFetch#openRegions file regions} is sent zero-copy instead (sendfile from the
 * piece store's files): at most {@value #REGIONS_IN_FLIGHT} regions are written and not yet sent at a time, the next
 * one asked for when one is sent.
 *
 * <p>The response head goes out with the first bytes (a fetch that fails before them is a 502 with
 * {@code X-Dragonfly-Error-Type: dfdaemon}); a body that fails midway resets the connection, so the client
 * never sees a clean short body; a client that leaves closes the stream and the fetch at once.
 */
final class BlobStreamer {
    /** Most bytes asked of the stream per read: 256 KiB. */
    static final int READ_BYTES = 256 * 1024;
    /** Most file regions written to the client and not yet sent: 2 (one sending while the next is checked). */
    static final int REGIONS_IN_FLIGHT = 2;
    static final String TASK_ID = "X-Dragonfly-Task-ID";
    static final String SERVER_IP = "X-Dragonfly-Server-IP";
    static final String DOWNLOAD_FINISHED = "X-Dragonfly-Task-Download-Finished";
    private static final Logger LOG = LoggerFactory.getLogger(BlobStreamer.class);

    private final Channel channel;
    private final BlobFetcher fetcher;
    private final BlobRequest request;
    private final boolean keepAlive;
    private final Executor executor;
    private final ProxyMetrics metrics;
    private final Runnable onReady;
    private final AtomicBoolean paused = new AtomicBoolean();
    private final AtomicInteger regionsInFlight = new AtomicInteger();
    /** A region step waits for one of the {@value #REGIONS_IN_FLIGHT} written regions to be sent. */
    private final AtomicBoolean regionWait = new AtomicBoolean();
    /** Removed once the response ended, so a long kept-alive connection does not collect one per request. */
    private final ChannelFutureListener onClose = f -> cancel();
    private final long startNanos = System.nanoTime();
    private volatile boolean cancelled;
    private volatile boolean ended;

    // Guarded by this: what must be closed, once.
    private BlobFetch fetch;
    private InputStream body;
    private BlobRegions regions;
    private boolean released;

    // Touched only by the single executor task running at a time (hand-offs go through the executor).
    private HttpResponse head;
    private String taskId = "-";
    private String range = "-";
    private long remaining;
    private long sent;

    /**
     * @param onReady runs on the event loop when the response ended cleanly on a kept-alive connection (the
     *                connection may read its next request)
     */
    BlobStreamer(Channel channel, BlobFetcher fetcher, BlobRequest request, boolean keepAlive, Executor executor,
            ProxyMetrics metrics, Runnable onReady) {
        this.channel = channel;
        this.fetcher = fetcher;
        this.request = request;
        this.keepAlive = keepAlive;
        this.executor = executor;
        this.metrics = metrics;
        this.onReady = onReady;
    }

    void start() {
        channel.closeFuture().addListener(onClose);
        schedule(this::open);
    }

    /** The client's channel became writable again: continue reading if a read waits for it. */
    void resume() {
        if (channel.isWritable() && paused.compareAndSet(true, false)) {
            schedule(this::step);
        }
    }

    private void open() {
        if (cancelled) {
            return;
        }
        try {
            BlobFetch opened = fetcher.open(request);
            if (!adopt(opened)) {
                return;
            }
            taskId = opened.taskId();
            long total = opened.blobLength();
            RangeHeader.Slice slice;
            HttpResponseStatus status;
            if (request.range().isPresent()) {
                Optional<RangeHeader.Slice> resolved = RangeHeader.resolve(request.range().get(), total);
                if (resolved.isEmpty()) {
                    rangeNotSatisfiable(total);
                    return;
                }
                slice = resolved.get();
                status = HttpResponseStatus.PARTIAL_CONTENT;
                range = slice.offset() + "-" + slice.last();
            } else {
                slice = new RangeHeader.Slice(0, total);
                status = HttpResponseStatus.OK;
            }
            head = head(status, opened, slice, total);
            remaining = slice.length();
            if (remaining == 0) {
                channel.write(head);
                head = null;
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::completed);
                return;
            }
            Optional<BlobRegions> files = sendsFiles() ? opened.openRegions(slice.offset(), slice.length())
                    : Optional.empty();
            if (files.isPresent() ? !adoptRegions(files.get()) : !adoptBody(opened.openStream(slice.offset(),
                    slice.length()))) {
                return;
            }
            step();
        } catch (IOException e) {
            failed(502, "blob fetch failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            failed(500, "blob fetch failed: " + e, e);
        }
    }

    /** Zero-copy needs the bytes to go to the socket as they are: no TLS (an intercepted HTTPS connection) between. */
    private boolean sendsFiles() {
        return channel.pipeline().get(SslHandler.class) == null;
    }

    /** One read from the stream, written to the client; schedules the next while the client takes data. */
    private void step() {
        if (cancelled) {
            release();
            return;
        }
        if (regions != null) {
            stepRegion();
            return;
        }
        int want = (int) Math.min(READ_BYTES, remaining);
        ByteBuf buffer = channel.alloc().buffer(want);
        int read;
        try {
            read = buffer.writeBytes(body, want);
        } catch (IOException | RuntimeException e) {
            buffer.release();
            failed(502, "blob stream failed after " + sent + " bytes: " + e.getMessage(), e);
            return;
        }
        if (read < 0) {
            buffer.release();
            failed(502, "blob stream ended " + remaining + " bytes early", null);
            return;
        }
        if (cancelled) {
            buffer.release();
            release();
            return;
        }
        remaining -= read;
        sent += read;
        if (head != null) {
            channel.write(head);
            head = null;
        }
        if (remaining == 0) {
            channel.writeAndFlush(new DefaultLastHttpContent(buffer)).addListener(this::completed);
            return;
        }
        channel.writeAndFlush(new DefaultHttpContent(buffer));
        if (channel.isWritable()) {
            schedule(this::step);
        } else {
            paused.set(true);
            resume();
        }
    }

    /** One region written to the client; the next is asked for at once while fewer than two are unsent. */
    private void stepRegion() {
        FileRegion region;
        try {
            region = regions.next();
        } catch (IOException | RuntimeException e) {
            failed(502, "blob stream failed after " + sent + " bytes: " + e.getMessage(), e);
            return;
        }
        if (region == null || region.count() <= 0 || region.count() > remaining) {
            String got = region == null ? "ended " + remaining + " bytes early"
                    : "gave a region of " + region.count() + " bytes with " + remaining + " left";
            if (region != null) {
                region.release();
            }
            failed(502, "blob regions " + got, null);
            return;
        }
        if (cancelled) {
            region.release();
            release();
            return;
        }
        remaining -= region.count();
        sent += region.count();
        if (head != null) {
            channel.write(head);
            head = null;
        }
        if (remaining == 0) {
            channel.write(region);
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::completed);
            return;
        }
        regionsInFlight.incrementAndGet();
        channel.writeAndFlush(region).addListener(done -> {
            regionsInFlight.decrementAndGet();
            if (!done.isSuccess()) {
                channel.close(); // the close listener releases the fetch
            } else if (regionWait.compareAndSet(true, false)) {
                schedule(this::step);
            }
        });
        if (regionsInFlight.get() < REGIONS_IN_FLIGHT) {
            schedule(this::step);
            return;
        }
        regionWait.set(true);
        if (regionsInFlight.get() < REGIONS_IN_FLIGHT && regionWait.compareAndSet(true, false)) {
            schedule(this::step); // a region was sent between the check and the flag
        }
    }

    private HttpResponse head(HttpResponseStatus status, BlobFetch opened, RangeHeader.Slice slice, long total) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        headers.set(HttpHeaderNames.CONTENT_LENGTH, slice.length());
        if (status.code() == 206) {
            headers.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + slice.offset() + "-" + slice.last() + "/" + total);
        }
        headers.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        headers.set("Docker-Content-Digest", request.digest().toString());
        headers.set("Docker-Distribution-Api-Version", "registry/2.0");
        headers.set(TASK_ID, opened.taskId());
        opened.serverIp().ifPresent(ip -> headers.set(SERVER_IP, ip));
        if (opened.fullLocalHit()) {
            headers.set(DOWNLOAD_FINISHED, "true");
        }
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    private void rangeNotSatisfiable(long total) {
        release();
        ended = true;
        LOG.info("p2p range not satisfiable task_id={} registry={} repository={} digest={} range={} length={}", taskId,
                request.registry(), request.repository(), request.digest(), request.range().get().header(), total);
        FullHttpResponse response = Responses.errorResponse(416, "range " + request.range().get().header()
                + " is outside the blob of " + total + " bytes", Responses.ERROR_TYPE_PROXY);
        response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + total);
        finishWith(response);
    }

    /** The fetch failed: an error answer while nothing was sent, else a reset connection. */
    private void failed(int status, String reason, Throwable cause) {
        release();
        if (cancelled) {
            LOG.debug("p2p fetch ended after the client left task_id={} digest={}: {}", taskId, request.digest(), reason);
            return;
        }
        ended = true;
        if (sent == 0) {
            LOG.warn("p2p fetch failed task_id={} registry={} repository={} digest={} range={}: {}", taskId, request.registry(),
                    request.repository(), request.digest(), range, reason);
            head = null;
            finishWith(Responses.errorResponse(status, reason, Responses.ERROR_TYPE_DFDAEMON));
            return;
        }
        metrics.failure();
        LOG.warn("p2p body aborted task_id={} registry={} repository={} digest={} range={} sent={} missing={}: {}", taskId,
                request.registry(), request.repository(), request.digest(), range, sent, remaining, reason);
        abort();
    }

    private void finishWith(FullHttpResponse response) {
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        channel.writeAndFlush(response).addListener((ChannelFutureListener) done -> {
            if (done.isSuccess() && keepAlive) {
                channel.closeFuture().removeListener(onClose);
                onReady.run();
            } else {
                channel.close();
            }
        });
    }

    private void completed(io.netty.util.concurrent.Future<? super Void> done) {
        release();
        ended = true;
        if (!done.isSuccess()) {
            LOG.debug("p2p client left at the end task_id={} digest={}", taskId, request.digest());
            channel.close();
            return;
        }
        LOG.debug("p2p served task_id={} registry={} repository={} digest={} range={} bytes={} millis={}", taskId,
                request.registry(), request.repository(), request.digest(), range, sent,
                (System.nanoTime() - startNanos) / 1_000_000);
        if (keepAlive) {
            channel.closeFuture().removeListener(onClose);
            onReady.run();
        } else {
            channel.close();
        }
    }

    /** Ends the connection with a reset: the client cannot mistake what it got for the whole body. */
    private void abort() {
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException ignored) {
            // not a socket channel (tests) or already closed: a plain close still truncates
        }
        channel.close();
    }

    private void cancel() {
        cancelled = true;
        if (!ended) {
            LOG.info("p2p client left task_id={} registry={} repository={} digest={} range={} sent={}", taskId,
                    request.registry(), request.repository(), request.digest(), range, sent);
        }
        release();
    }

    private void schedule(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            release();
            LOG.warn("p2p fetch executor refused work (shutting down) digest={}", request.digest());
            channel.close();
        }
    }

    private synchronized boolean adopt(BlobFetch opened) {
        if (released) {
            opened.close();
            return false;
        }
        fetch = opened;
        return true;
    }

    private boolean adoptRegions(BlobRegions files) {
        synchronized (this) {
            if (!released) {
                regions = files;
                return true;
            }
        }
        files.close();
        return false;
    }

    private boolean adoptBody(InputStream stream) {
        synchronized (this) {
            if (!released) {
                body = stream;
                return true;
            }
        }
        closeQuietly(stream);
        return false;
    }

    /** Closes the stream, then the fetch, each once, from whichever thread gets here first. */
    private void release() {
        BlobFetch toClose;
        InputStream stream;
        BlobRegions files;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            toClose = fetch;
            stream = body;
            files = regions;
        }
        closeQuietly(stream);
        if (files != null) {
            files.close();
        }
        if (toClose != null) {
            try {
                toClose.close();
            } catch (RuntimeException e) {
                LOG.warn("closing blob fetch task_id={} failed: {}", taskId, e.toString());
            }
        }
    }

    private static void closeQuietly(InputStream stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException | RuntimeException ignored) {
                // nothing more to release
            }
        }
    }

}

package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.oci.Digest;
import dev.damselfly.peer.node.RegistryBlobTasks;
import dev.damselfly.peer.node.StoredRangeInputStream;
import dev.damselfly.piecestore.PieceStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/blobs?registry=R&repository=P&digest=sha256:…} with {@code Range: bytes=A-B}: the bytes of an
 * image blob, fetched piece by piece through the node (its store, its peers, the registry) — only the pieces that
 * cover the range. This is the node side of a peer-first lazy mount: {@code damselfly mount} reads chunks here.
 * Answers 206 with exactly the range; 400 on bad parameters, 416 for a range outside the blob, 502 when the bytes
 * cannot be had.
 */
public final class BlobRangeHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BlobRangeHandler.class);
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final DownloadEngine engine;
    private final PieceStore store;
    private final RegistryBlobTasks tasks;
    private final long timeoutMillis;

    /** @param timeoutMillis longest wait for the pieces of one request */
    public BlobRangeHandler(DownloadEngine engine, PieceStore store, RegistryBlobTasks tasks, long timeoutMillis) {
        this.engine = engine;
        this.store = store;
        this.tasks = tasks;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            Responses.error(exchange, 405, "/api/v1/blobs answers GET only");
            return;
        }
        Map<String, String> q = QueryParameters.parse(exchange.getRequestURI().getRawQuery());
        String range = exchange.getRequestHeaders().getFirst("Range");
        Matcher m = range == null ? null : RANGE.matcher(range.trim());
        if (q.get("registry") == null || q.get("repository") == null || q.get("digest") == null) {
            Responses.error(exchange, 400, "registry, repository and digest are required");
            return;
        }
        if (m == null || !m.matches()) {
            Responses.error(exchange, 400, "a single Range: bytes=A-B header is required");
            return;
        }
        long first = Long.parseLong(m.group(1));
        long last = Long.parseLong(m.group(2));
        if (last < first) {
            Responses.error(exchange, 416, "empty range " + range);
            return;
        }
        TaskRequest request;
        try {
            request = tasks.request(q.get("registry"), q.get("repository"), Digest.parse(q.get("digest")));
        } catch (RuntimeException e) {
            Responses.error(exchange, 400, e.getMessage());
            return;
        }
        long length = last - first + 1;
        try {
            engine.fetchRange(request, first, length).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            Responses.error(exchange, 416, e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Responses.error(exchange, 503, "interrupted");
            return;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.warn("blob range failed task_id={} range={} error={}", request.taskId(), range, cause.toString());
            Responses.error(exchange, 502, "task " + request.taskId() + ": " + cause.getMessage());
            return;
        }
        long total = store.taskInfo(request.taskId()).map(t -> t.contentLength()).orElse(-1L);
        if (total >= 0 && last >= total) {
            Responses.error(exchange, 416, "range " + range + " is outside the " + total + "-byte blob");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + total);
        exchange.getResponseHeaders().set("X-Dragonfly-Task-ID", request.taskId());
        exchange.sendResponseHeaders(206, length);
        try (InputStream in = new StoredRangeInputStream(store, request.taskId(), first, length);
             OutputStream out = exchange.getResponseBody()) {
            in.transferTo(out);
        } catch (IOException e) {
            LOG.warn("blob range aborted task_id={} error={}", request.taskId(), e.toString());
            throw new IOException("range of task " + request.taskId() + " aborted", e); // the server drops the connection
        }
        exchange.close();
    }
}

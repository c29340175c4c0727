package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.DownloadResult;
import dev.damselfly.exchange.engine.TaskDownload;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.peer.node.OriginFactory;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.TaskLease;
import dev.damselfly.scheduler.client.id.TaskIdInput;
import dev.damselfly.scheduler.client.id.TaskIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/download?url=URL[&digest=sha256:HEX][&tag=T][&application=A]}: downloads URL through the
 * node (local store, then peers, then the origin) and streams it back as it arrives; what {@code damselfly get}
 * calls. The request's {@code Authorization} header, if any, is sent to the origin and nowhere else. The response
 * carries {@code X-Dragonfly-Task-ID}. A download that fails after the headers went out is cut short (the client
 * sees fewer bytes than Content-Length), never ended cleanly; with {@code digest} the last byte waits for the node's
 * SHA-256 check of the whole content.
 *
 * <p>With {@code mode=link} (what {@code damselfly get} asks for when the node runs on its own machine) no content
 * is sent: the node completes the download, checks every piece's CRC-32 in the content file (the SHA-256 check of a
 * download with {@code digest} does that as it reads the file back), and answers, in a chunked
 * {@code text/plain} body, a line {@code progress STORED_BYTES TOTAL_BYTES} about every 200 ms, then one final line:
 * {@code file PATH} (the task's complete content file, for the client to hard-link, as dfget does) or
 * {@code error MESSAGE}. The task stays pinned until the response ends.
 */
public final class DownloadHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadHandler.class);
    private static final Pattern SHA256 = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final int BUFFER = 256 * 1024;

    /** Interval between progress lines in {@code mode=link}, milliseconds (200). */
    private static final long PROGRESS_INTERVAL_MILLIS = 200;

    private final DownloadEngine engine;
    private final OriginFactory origins;
    private final PieceStore store;

    public DownloadHandler(DownloadEngine engine, OriginFactory origins, PieceStore store) {
        this.engine = engine;
        this.origins = origins;
        this.store = store;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            Responses.error(exchange, 405, "/api/v1/download answers GET only");
            return;
        }
        Map<String, String> query = QueryParameters.parse(exchange.getRequestURI().getRawQuery());
        String url = query.get("url");
        if (url == null || url.isBlank()) {
            Responses.error(exchange, 400, "missing query parameter url");
            return;
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            Responses.error(exchange, 400, "url is not a URI: " + e.getMessage());
            return;
        }
        String digest = query.get("digest");
        if (digest != null && !SHA256.matcher(digest.toLowerCase(Locale.ROOT)).matches()) {
            Responses.error(exchange, 400, "digest must be sha256:<64 hex digits>");
            return;
        }
        Map<String, String> originHeaders = new java.util.HashMap<>();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null) {
            originHeaders.put("Authorization", authorization);
        }
        TaskRequest request;
        try {
            String tag = query.getOrDefault("tag", "");
            String application = query.getOrDefault("application", "");
            TaskIdInput idInput = TaskIdInput.of(url);
            idInput = tag.isEmpty() ? idInput : idInput.withTag(tag);
            idInput = application.isEmpty() ? idInput : idInput.withApplication(application);
            request = TaskRequest.of(TaskIds.taskId(idInput), url, origins.forUrl(uri, originHeaders));
            request = tag.isEmpty() ? request : request.withTag(tag);
            request = application.isEmpty() ? request : request.withApplication(application);
            if (digest != null) {
                request = request.withExpectedSha256(digest.toLowerCase(Locale.ROOT));
            }
        } catch (IllegalArgumentException e) {
            Responses.error(exchange, 400, e.getMessage());
            return;
        }
        TaskDownload download;
        try {
            download = engine.download(request);
        } catch (RuntimeException e) {
            LOG.warn("download failed to start url={} error={}", request.url(), e.toString());
            Responses.error(exchange, 502, e.getMessage());
            return;
        }
        if ("link".equals(query.get("mode"))) {
            answerWithContentFile(exchange, download);
            return;
        }
        long length = download.contentLength();
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.getResponseHeaders().set("X-Dragonfly-Task-ID", download.taskId());
        exchange.sendResponseHeaders(200, length == 0 ? -1 : length);
        if (length == 0) {
            exchange.close();
            return;
        }
        // With a digest, the last byte is held back until the node has checked the whole content: on a mismatch the
        // client gets a body one byte short (an error), never a complete-looking wrong one.
        long held = digest != null ? 1 : 0;
        try (InputStream in = download.openStream(0, length); OutputStream out = exchange.getResponseBody()) {
            byte[] buffer = new byte[BUFFER];
            long left = length - held;
            int n;
            while (left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
                out.write(buffer, 0, n);
                left -= n;
            }
            if (held > 0) {
                download.completion().join();
                out.write(in.readNBytes((int) held));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("download aborted task_id={} error={}", download.taskId(), e.toString());
            // Thrown out of the handler, the JDK server drops the connection: the client sees a short body. Closing the
            // exchange instead would leave the connection open and the client waiting for the missing bytes.
            throw new IOException("download of task " + download.taskId() + " aborted", e);
        }
        exchange.close();
    }

    private void answerWithContentFile(HttpExchange exchange, TaskDownload download) throws IOException {
        String taskId = download.taskId();
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("X-Dragonfly-Task-ID", taskId);
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            CompletableFuture<DownloadResult> done = download.completion();
            long total = download.contentLength();
            DownloadResult result;
            while (true) {
                try {
                    result = done.get(PROGRESS_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                    break;
                } catch (TimeoutException e) {
                    line(out, "progress " + storedBytes(taskId, download) + " " + total);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    LOG.warn("download failed task_id={} error={}", taskId, cause.toString());
                    line(out, "error " + oneLine(String.valueOf(cause.getMessage())));
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    line(out, "error interrupted");
                    return;
                }
            }
            try (TaskLease lease = store.pin(taskId)) {
                if (!result.readBack()) {
                    checkPieces(taskId, download); // else the SHA-256 check has just read every piece from the file
                }
                Optional<Path> file = store.completeContentFile(taskId);
                if (file.isEmpty()) {
                    line(out, "error the content file of task " + taskId + " is not complete on disk");
                    return;
                }
                line(out, "progress " + total + " " + total);
                line(out, "file " + file.get().toAbsolutePath());
                LOG.info("content file handed out task_id={} bytes={}", taskId, total);
            } catch (RuntimeException e) {
                LOG.warn("content file not handed out task_id={} error={}", taskId, e.toString());
                line(out, "error " + oneLine(String.valueOf(e.getMessage())));
            }
        }
    }

    /**
     * Checks every piece's CRC-32 in the content file itself (never a copy in memory), since it is the file that is
     * handed out; a corrupt piece is dropped, so it is fetched again.
     */
    private void checkPieces(String taskId, TaskDownload download) {
        for (int n = 0; n < download.pieceCount(); n++) {
            store.checkPieceInFile(taskId, n);
        }
    }

    private long storedBytes(String taskId, TaskDownload download) {
        try {
            return Math.min(download.contentLength(), (long) store.storedPieces(taskId).cardinality() * download.pieceLength());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    private static void line(OutputStream out, String text) throws IOException {
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}

package dev.damselfly.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback HTTP origin serving one in-memory file at one path, with single-range {@code Range: bytes=a-b}
 * support (206 + Content-Range) and HEAD; counts the body bytes it sends so tests can see what went to the origin.
 */
final class RangeFileOrigin implements AutoCloseable {
    /** Accept backlog of the JDK server: 16 connections. */
    private static final int BACKLOG = 16;

    private final HttpServer server;
    private final byte[] content;
    private final String path;
    private final AtomicLong bytesServed = new AtomicLong();

    private RangeFileOrigin(HttpServer server, byte[] content, String path) {
        this.server = server;
        this.content = content;
        this.path = path;
    }

    /** Starts serving {@code content} at {@code path} (e.g. "/file.bin") on 127.0.0.1, an ephemeral port. */
    static RangeFileOrigin start(byte[] content, String path) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), BACKLOG);
        RangeFileOrigin origin = new RangeFileOrigin(server, content, path);
        server.createContext(path, origin::handle);
        server.start();
        return origin;
    }

    /** The file's URL. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    /** Body bytes sent so far, over all requests. */
    long bytesServed() {
        return bytesServed.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(path)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            long start = 0;
            long end = content.length - 1L;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            if (range != null && range.startsWith("bytes=") && !range.contains(",")) {
                String[] parts = range.substring("bytes=".length()).split("-", 2);
                if (parts[0].isEmpty()) {
                    start = Math.max(0, content.length - Long.parseLong(parts[1]));
                } else {
                    start = Long.parseLong(parts[0]);
                    if (parts.length > 1 && !parts[1].isEmpty()) {
                        end = Math.min(end, Long.parseLong(parts[1]));
                    }
                }
                if (start >= content.length || start > end) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + content.length);
            }
            long length = end - start + 1;
            if (head) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(content, (int) start, (int) length);
            }
            bytesServed.addAndGet(length);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

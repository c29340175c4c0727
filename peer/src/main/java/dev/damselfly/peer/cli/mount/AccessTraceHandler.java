package dev.damselfly.peer.cli.mount;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /access-trace}: the mount's paths in first-read order, one per line — the same format as
 * {@code --access-trace FILE} and {@code --prefetch-list}, so a trace taken from one start can prefetch the next.
 */
final class AccessTraceHandler implements HttpHandler {
    private final Supplier<List<String>> trace;

    AccessTraceHandler(Supplier<List<String>> trace) {
        this.trace = trace;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        StringBuilder text = new StringBuilder();
        for (String path : trace.get()) {
            text.append(path).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }
}

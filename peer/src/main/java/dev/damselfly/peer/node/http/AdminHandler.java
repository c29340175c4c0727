package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * The admin API's read-only views: {@code GET /api/v1/status} (identity, ports, scheduler, storage),
 * {@code GET /api/v1/tasks} (tasks in the piece store) and {@code GET /api/v1/peers} (parents this node has
 * downloaded from and how that went). Bodies are JSON. Listens on 127.0.0.1 by default.
 */
public final class AdminHandler implements HttpHandler {
    private final Supplier<Object> status;
    private final Supplier<Object> tasks;
    private final Supplier<Object> peers;

    public AdminHandler(Supplier<Object> status, Supplier<Object> tasks, Supplier<Object> peers) {
        this.status = status;
        this.tasks = tasks;
        this.peers = peers;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Supplier<Object> view = switch (path) {
            case "/api/v1/status" -> status;
            case "/api/v1/tasks" -> tasks;
            case "/api/v1/peers" -> peers;
            default -> null;
        };
        if (view == null) {
            Responses.error(exchange, 404, "no such endpoint " + path
                    + " (try /api/v1/status, /api/v1/tasks, /api/v1/peers, /api/v1/download?url=)");
        } else if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            Responses.error(exchange, 405, path + " answers GET only");
        } else {
            Responses.json(exchange, 200, view.get());
        }
    }
}

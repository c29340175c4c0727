package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /healthy}: 200 with an empty body while the node serves, 503 while it starts or stops; any other
 * path 404 (as the Rust client's health port 4003). Usable as nydusd's {@code ping_url} and as Kubernetes probes.
 */
public final class HealthHandler implements HttpHandler {
    private final BooleanSupplier healthy;

    public HealthHandler(BooleanSupplier healthy) {
        this.healthy = healthy;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!exchange.getRequestURI().getPath().equals("/healthy")) {
            Responses.empty(exchange, 404);
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            Responses.empty(exchange, 405);
        } else {
            Responses.empty(exchange, healthy.getAsBoolean() ? 200 : 503);
        }
    }
}

package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.damselfly.peer.node.metrics.NodeMetrics;
import java.io.IOException;

/** {@code GET /metrics}: the Prometheus text exposition (version 0.0.4) of every meter of the node. */
public final class MetricsHandler implements HttpHandler {
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final NodeMetrics metrics;

    public MetricsHandler(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/metrics")) {
            Responses.empty(exchange, 404);
        } else if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            Responses.empty(exchange, 405);
        } else {
            Responses.text(exchange, 200, CONTENT_TYPE, metrics.scrape());
        }
    }
}

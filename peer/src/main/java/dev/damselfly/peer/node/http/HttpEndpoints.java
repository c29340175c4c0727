package dev.damselfly.peer.node.http;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** One bound HTTP listener serving a few path prefixes; closing it stops the listener and its threads. */
public final class HttpEndpoints implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private HttpEndpoints(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} and serves each path prefix with its handler.
     *
     * @param name thread-name prefix for logs ({@code health}, {@code metrics}, {@code admin})
     * @param threads request threads
     * @throws UncheckedIOException naming the address when it cannot be bound (port taken)
     */
    public static HttpEndpoints start(String name, InetSocketAddress address, int threads, Map<String, HttpHandler> handlers) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for " + name + " on " + address.getHostString() + ":"
                    + address.getPort() + ": " + e.getMessage(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        handlers.forEach(server::createContext);
        server.setExecutor(executor);
        server.start();
        return new HttpEndpoints(server, executor);
    }

    /** Serves one more path prefix from now on. */
    public void addHandler(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

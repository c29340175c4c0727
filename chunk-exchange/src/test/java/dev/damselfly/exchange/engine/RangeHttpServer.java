package dev.damselfly.exchange.engine;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP server (the JDK's) serving byte arrays with single {@code Range: bytes=a-b} support, for the
 * HTTP origin and the engine tests. Records every Range header it is sent; can delay each response.
 */
final class RangeHttpServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "range-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicInteger piecesInFlight = new AtomicInteger();
    private final List<Integer> piecesInFlightAtArrival = new CopyOnWriteArrayList<>();
    private volatile long delayMillis;
    private volatile boolean ignoreRange;

    RangeHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code bytes} at {@code path} and returns its URL. */
    URI put(String path, byte[] bytes) {
        files.put(path, bytes);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Answer every request with the whole body (200), as a server without Range support does. */
    void ignoreRange(boolean ignore) {
        this.ignoreRange = ignore;
    }

    /** Range headers received (null for none), in arrival order. */
    List<String> ranges() {
        return List.copyOf(ranges);
    }

    /** Authorization headers received ("null" for none), in arrival order. */
    List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    /** Range requests other than the {@code bytes=0-0} length lookups. */
    long pieceRequests() {
        return ranges.stream().filter(r -> r != null && !r.equals("bytes=0-0")).count();
    }

    /** Bytes the piece requests asked for (each range's length; the {@code bytes=0-0} length lookups not counted). */
    long bytesRequested() {
        long sum = 0;
        for (String r : ranges) {
            Matcher m = r == null || r.equals("bytes=0-0") ? null : RANGE.matcher(r);
            if (m != null && m.matches() && !m.group(2).isEmpty()) {
                sum += Long.parseLong(m.group(2)) - Long.parseLong(m.group(1)) + 1;
            }
        }
        return sum;
    }

    /** For each piece request (not a length lookup), in arrival order: piece requests being answered, itself included. */
    List<Integer> piecesInFlightAtArrival() {
        return List.copyOf(piecesInFlightAtArrival);
    }

    void clearLog() {
        ranges.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        boolean piece = range != null && !range.equals("bytes=0-0");
        if (piece) {
            piecesInFlightAtArrival.add(piecesInFlight.incrementAndGet());
        }
        try (ex) {
            ranges.add(range);
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            byte[] body = files.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            Matcher m = range == null || ignoreRange ? null : RANGE.matcher(range);
            if (m == null || !m.matches()) {
                ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                write(ex, body, 0, body.length);
                return;
            }
            long start = Long.parseLong(m.group(1));
            long end = m.group(2).isEmpty() ? body.length - 1 : Math.min(body.length - 1, Long.parseLong(m.group(2)));
            if (start >= body.length) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + body.length);
            ex.sendResponseHeaders(206, end - start + 1);
            write(ex, body, (int) start, (int) (end - start + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (piece) {
                piecesInFlight.decrementAndGet();
            }
        }
    }

    private static void write(HttpExchange ex, byte[] body, int off, int len) throws IOException {
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body, off, len);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package dev.damselfly.peer.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry of one blob on an ephemeral loopback port, for {@link MirrorPathWarmUp}: {@code GET} and {@code HEAD} of
 * {@code /v2/warm-up/blob/blobs/sha256:…}, whole or one {@code bytes=a-b} range; anything else is 404. The blob is
 * one block of pseudo-random bytes (new on every start, so its digest names a task no other node has) repeated up to
 * its length, so the origin holds {@value #BLOCK_BYTES} bytes whatever the blob's size. Closing stops it.
 */
final class WarmUpBlobOrigin implements AutoCloseable {
    /** The repository the blob is served from: {@value}. */
    static final String REPOSITORY = "warm-up/blob";
    /** The repeated block, bytes: 1 MiB. */
    static final int BLOCK_BYTES = 1 << 20;
    /** Requests served at once: 8 (the engine's origin GETs per task, by default). */
    private static final int HANDLER_THREADS = 8;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final byte[] block;
    private final long length;
    private final String digest;
    private final HttpServer server;
    private final ExecutorService handlers;

    private WarmUpBlobOrigin(byte[] block, long length, String digest, HttpServer server, ExecutorService handlers) {
        this.block = block;
        this.length = length;
        this.digest = digest;
        this.server = server;
        this.handlers = handlers;
    }

    /** Makes a blob of {@code length} bytes (at least 1) and starts serving it. */
    static WarmUpBlobOrigin start(long length, long seed) throws IOException {
        if (length < 1) {
            throw new IllegalArgumentException("warm-up blob length " + length + " is not positive");
        }
        byte[] block = new byte[(int) Math.min(BLOCK_BYTES, length)];
        new SplittableRandom(seed).nextBytes(block);
        String digest = "sha256:" + sha256(block, length);
        ExecutorService handlers = Executors.newFixedThreadPool(HANDLER_THREADS, r -> {
            Thread t = new Thread(r, "mirror-warm-up-origin");
            t.setDaemon(true);
            return t;
        });
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), HANDLER_THREADS);
        server.setExecutor(handlers);
        WarmUpBlobOrigin origin = new WarmUpBlobOrigin(block, length, digest, server, handlers);
        server.createContext("/", origin::serve);
        server.start();
        return origin;
    }

    /** {@code 127.0.0.1:port}: the registry's name and address. */
    String registry() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The blob's digest, {@code sha256:…}. */
    String digest() {
        return digest;
    }

    long length() {
        return length;
    }

    /** Whether {@code bytes[0..count)} are the blob's bytes from {@code offset} on. */
    boolean matches(long offset, byte[] bytes, int count) {
        int done = 0;
        while (done < count) {
            int within = (int) ((offset + done) % block.length);
            int n = Math.min(block.length - within, count - done);
            if (Arrays.mismatch(bytes, done, done + n, block, within, within + n) >= 0) {
                return false;
            }
            done += n;
        }
        return offset + count <= length;
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/v2/" + REPOSITORY + "/blobs/" + digest)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            long from = 0;
            long count = length;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m != null && m.matches()) {
                from = Long.parseLong(m.group(1));
                if (from >= length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                count = Math.min(length, Long.parseLong(m.group(2)) + 1) - from;
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (from + count - 1) + "/" + length);
            }
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(count));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, count);
            try (OutputStream out = exchange.getResponseBody()) {
                long at = from;
                long end = from + count;
                while (at < end) {
                    int within = (int) (at % block.length);
                    int n = (int) Math.min(block.length - within, end - at);
                    out.write(block, within, n);
                    at += n;
                }
            }
        }
    }

    /** SHA-256 of {@code block} repeated up to {@code length} bytes, hex. */
    private static String sha256(byte[] block, long length) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        for (long at = 0; at < length; at += block.length) {
            sha.update(block, 0, (int) Math.min(block.length, length - at));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}

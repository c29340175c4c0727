package dev.damselfly.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A keep-alive HTTP/1.1 origin on a loopback socket that answers every GET with {@code 200} and the request path (without
 * its query) as the body, one thread per connection. Counts connections and requests; can close each connection right after its
 * response without announcing it ({@code Connection: close} is not sent), as an origin whose idle timer fires does.
 */
final class KeepAliveOrigin implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean closeAfterResponse;
    private volatile long largeBodyBytes;
    final AtomicInteger accepted = new AtomicInteger();
    /** Bytes of large bodies handed to the socket so far (see {@link #largeBody}). */
    final AtomicLong largeBodyWritten = new AtomicLong();
    final AtomicInteger requests = new AtomicInteger();

    KeepAliveOrigin() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "keep-alive-origin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** When true, every connection is closed by this origin right after its first response. */
    void closeAfterResponse(boolean close) {
        closeAfterResponse = close;
    }

    /**
     * When positive, paths ending in {@code /large} are answered with this many bytes of {@link #largeByte} instead,
     * written in 64 KiB pieces (counted in {@link #largeBodyWritten} as each is taken by the socket).
     */
    void largeBody(long bytes) {
        largeBodyBytes = bytes;
    }

    /** Byte {@code i} of a large body: a repeating pattern, so a reader can check every byte. */
    static byte largeByte(long i) {
        return (byte) (i % 251);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                Thread connection = new Thread(() -> serve(socket), "keep-alive-origin-connection");
                connection.setDaemon(true);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                String target = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                if (path.endsWith("/large") && largeBodyBytes > 0) {
                    writeLarge(out, largeBodyBytes);
                    continue;
                }
                byte[] body = path.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                if (closeAfterResponse) {
                    return;
                }
            }
        } catch (IOException e) {
            // the proxy closed the connection
        }
    }

    private void writeLarge(OutputStream out, long size) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        byte[] piece = new byte[64 * 1024];
        for (long sent = 0; sent < size; ) {
            int n = (int) Math.min(piece.length, size - sent);
            for (int i = 0; i < n; i++) {
                piece[i] = largeByte(sent + i);
            }
            out.write(piece, 0, n);
            sent += n;
            largeBodyWritten.addAndGet(n);
        }
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder text = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            text.append((char) b);
            if (text.length() >= 4 && text.substring(text.length() - 4).equals("\r\n\r\n")) {
                return text.toString();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.damselfly.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw HTTP origin on a loopback socket, for watching exactly how the proxy sends a request body: it reads the
 * request head, then (per {@link Mode}) counts body bytes as they arrive, takes none at all, or resets the
 * connection after some bytes. Serves one connection at a time.
 */
final class RawUpstream implements AutoCloseable {
    enum Mode {
        /** Read and count body bytes until the connection ends. */
        COUNT,
        /** Read the head, then never read again (the socket's buffers fill up). */
        STALL,
        /** Read the head and {@code resetAfter} body bytes, then reset the connection. */
        RESET
    }

    private final ServerSocket server;
    private final Thread thread;
    private volatile Mode mode = Mode.COUNT;
    private volatile long resetAfter;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicLong bodyBytes = new AtomicLong();
    volatile String head = "";
    private volatile CountDownLatch ended = new CountDownLatch(1);

    RawUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "raw-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Sets the behaviour for the next connection and forgets the previous one's counters. */
    void expect(Mode next, long resetAfterBytes) {
        mode = next;
        resetAfter = resetAfterBytes;
        bodyBytes.set(0);
        head = "";
        ended = new CountDownLatch(1);
        stallReleased = false;
    }

    /** True once the proxy closed (or reset) the connection to this origin within {@code millis}. */
    boolean awaitConnectionEnd(long millis) throws InterruptedException {
        return ended.await(millis, TimeUnit.MILLISECONDS);
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                accepted.incrementAndGet();
                CountDownLatch end = ended;
                try {
                    handle(socket);
                } finally {
                    end.countDown();
                }
            } catch (IOException e) {
                // closed, or the connection failed: next one
            }
        }
    }

    private void handle(Socket socket) throws IOException {
        socket.setReceiveBufferSize(64 * 1024);
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            text.append((char) b);
            if (text.length() >= 4 && text.substring(text.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        head = text.toString();
        Mode current = mode;
        if (current == Mode.STALL) {
            while (!stallReleased) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            return;
        }
        byte[] buffer = new byte[64 * 1024];
        socket.setSoTimeout(30_000);
        while (true) {
            int want = buffer.length;
            if (current == Mode.RESET) {
                long left = resetAfter - bodyBytes.get();
                if (left <= 0) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                want = (int) Math.min(want, left);
            }
            int n;
            try {
                n = in.read(buffer, 0, want);
            } catch (SocketTimeoutException e) {
                return;
            }
            if (n < 0) {
                return;
            }
            bodyBytes.addAndGet(n);
        }
    }

    private volatile boolean stallReleased;

    /** Lets a stalled connection go (it is then closed by this side). */
    void releaseStall() {
        stallReleased = true;
    }

    @Override
    public void close() throws IOException {
        stallReleased = true;
        server.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.damselfly.testkit.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * A TCP front for an in-JVM plain-HTTP server ({@code com.sun.net.httpserver}) that answers a TLS
 * ClientHello the way Go's {@code net/http} does: {@code HTTP/1.0 400 Bad Request} and close. Without
 * it, clients that try HTTPS first on an "insecure" registry (containers/image: skopeo, podman;
 * docker) wait for a 10 s TLS handshake timeout, because {@code com.sun.net.httpserver} keeps
 * waiting for a request line. Every other connection is piped byte for byte to the backend; a close
 * by either side closes both.
 */
public final class PlainHttpFront implements AutoCloseable {

    /** First byte of a TLS record carrying a handshake (ClientHello): 0x16. */
    static final int TLS_HANDSHAKE = 0x16;
    private static final byte[] TLS_REJECTION = ("HTTP/1.0 400 Bad Request\r\n\r\n"
            + "Client sent an HTTP request to an HTTPS server.\n").getBytes(StandardCharsets.US_ASCII);
    private static final int BUFFER_SIZE = 64 * 1024;

    private final InetSocketAddress backend;
    private final ServerSocket listener;
    private final ExecutorService executor;
    private final Set<Socket> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean closed;

    private PlainHttpFront(InetSocketAddress backend, String name) {
        this.backend = backend;
        this.executor = DaemonThreads.cachedPool(name);
        try {
            this.listener = new ServerSocket();
            listener.bind(FreePorts.ephemeralLoopback(), 128);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + name + " on 127.0.0.1", e);
        }
        executor.execute(this::acceptLoop);
    }

    /**
     * @param backend the plain-HTTP server to pipe to
     * @param name    thread name prefix
     * @return a started front on a free 127.0.0.1 port
     */
    public static PlainHttpFront start(InetSocketAddress backend, String name) {
        return new PlainHttpFront(backend, name);
    }

    /** @return the front's port on 127.0.0.1 */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                executor.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("damselfly-testkit: front on port " + port() + " stopped accepting: " + e);
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        track(client);
        Socket upstream = null;
        try {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (first == TLS_HANDSHAKE) {
                client.getOutputStream().write(TLS_REJECTION);
                client.getOutputStream().flush();
                return;
            }
            upstream = new Socket();
            track(upstream);
            upstream.setTcpNoDelay(true);
            upstream.connect(backend, 5000);
            upstream.getOutputStream().write(first);
            Socket up = upstream;
            executor.execute(() -> pump(client, up, false));
            pump(up, client, true);
        } catch (IOException e) {
            // connection-level failure: closing both ends below propagates it
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    /** Copies {@code from} to {@code to}; at EOF either half-closes {@code to} or closes both. */
    private void pump(Socket from, Socket to, boolean closeBothAtEof) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            if (closeBothAtEof) {
                closeQuietly(to);
                closeQuietly(from);
            } else {
                to.shutdownOutput();
            }
        } catch (IOException e) {
            closeQuietly(to);
            closeQuietly(from);
        }
    }

    private void track(Socket socket) {
        synchronized (open) {
            open.add(socket);
        }
    }

    private void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        synchronized (open) {
            open.remove(socket);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /** Stops accepting and closes every piped connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Socket[] sockets;
        synchronized (open) {
            sockets = open.toArray(new Socket[0]);
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "PlainHttpFront[127.0.0.1:" + port() + " -> " + backend + "]";
    }

}

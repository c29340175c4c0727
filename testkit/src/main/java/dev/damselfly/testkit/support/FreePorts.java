package dev.damselfly.testkit.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Picks free TCP ports on the loopback interface {@code 127.0.0.1}. */
public final class FreePorts {

    /** The loopback address every test-kit server binds to. */
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private FreePorts() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free a moment ago (bound with port 0, then released).
     * Another process may take it before the caller binds it; callers that start external processes
     * retry on "address already in use".
     *
     * @return a port number in 1..65535
     */
    public static int loopbackPort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on 127.0.0.1", e);
        }
    }

    /**
     * An unbound socket address on 127.0.0.1 with port 0, for in-JVM servers that can bind port 0
     * directly and read back the port (no race).
     *
     * @return {@code 127.0.0.1:0}
     */
    public static InetSocketAddress ephemeralLoopback() {
        return new InetSocketAddress(LOOPBACK, 0);
    }
}

package dev.damselfly.oci.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * The registry client's TLS, set up on its first TLS connection rather than with the client: building the JDK's SSL
 * context (trust store, cipher suites) took about 70 ms of one core in a fresh JVM, on the way to a {@code damselfly
 * mount} of an image from a plain-HTTP registry, which never needs it. Thread-safe; the context is built once.
 */
final class DeferredTlsStrategy implements TlsSocketStrategy {
    private final Supplier<SSLContext> context;
    private volatile TlsSocketStrategy strategy;

    /** @param context builds the SSL context; called at most once, on the first TLS connection */
    DeferredTlsStrategy(Supplier<SSLContext> context) {
        this.context = context;
    }

    @Override
    public SSLSocket upgrade(Socket socket, String target, int port, Object attachment, HttpContext httpContext)
            throws IOException {
        return strategy().upgrade(socket, target, port, attachment, httpContext);
    }

    private TlsSocketStrategy strategy() throws IOException {
        TlsSocketStrategy s = strategy;
        if (s == null) {
            synchronized (this) {
                s = strategy;
                if (s == null) {
                    try {
                        s = new DefaultClientTlsStrategy(context.get());
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    } catch (IllegalArgumentException e) {
                        throw new IOException(e.getMessage(), e);
                    }
                    strategy = s;
                }
            }
        }
        return s;
    }
}

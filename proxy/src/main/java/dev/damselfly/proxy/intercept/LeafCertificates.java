package dev.damselfly.proxy.intercept;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Server TLS contexts for intercepted hosts, one per host name, each with a leaf certificate from the
 * {@link InterceptionCa}; cached so a host's certificate is made once per {@link #REISSUE_AFTER} (well inside
 * {@link InterceptionCa#LEAF_VALIDITY}) rather than per connection. Thread-safe.
 */
public final class LeafCertificates {
    /** A host's cached context is replaced by a freshly issued one after this long: 1 day. */
    public static final Duration REISSUE_AFTER = Duration.ofDays(1);
    /** Most hosts whose contexts are kept: 1024 (interception is limited to configured registries anyway). */
    public static final int MAX_HOSTS = 1024;

    private final InterceptionCa ca;
    private final Cache<String, SslContext> contexts = Caffeine.newBuilder()
            .expireAfterWrite(REISSUE_AFTER).maximumSize(MAX_HOSTS).build();

    public LeafCertificates(InterceptionCa ca) {
        this.ca = ca;
    }

    /** The CA the contexts' certificates chain to. */
    public InterceptionCa ca() {
        return ca;
    }

    /**
     * The TLS context presenting a certificate for {@code host} (HTTP/1.1 only: no ALPN is negotiated).
     *
     * @throws LeafCertificateException when no certificate can be made for it
     */
    public SslContext forHost(String host) {
        String key = host.toLowerCase(Locale.ROOT);
        return contexts.get(key, this::build);
    }

    private SslContext build(String host) {
        try {
            IssuedCertificate issued = ca.issue(host);
            return SslContextBuilder.forServer(issued.key(), issued.certificate(), issued.issuer())
                    .sslProvider(SslProvider.JDK)
                    .build();
        } catch (GeneralSecurityException | SSLException e) {
            throw new LeafCertificateException(host, e);
        }
    }

    /** No leaf certificate or TLS context could be made for a host. */
    public static final class LeafCertificateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LeafCertificateException(String host, Throwable cause) {
            super("cannot issue an interception certificate for host " + host + ": " + cause.getMessage(), cause);
        }
    }
}

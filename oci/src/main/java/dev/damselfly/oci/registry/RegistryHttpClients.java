package dev.damselfly.oci.registry;

import dev.damselfly.oci.auth.TokenHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.cookie.CookieSpecFactory;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Builds the pooled HTTP/1.1 client behind a {@link RegistryClient}: no automatic redirects, retries,
 * cookies or content decoding (layers are gzip and must arrive as stored); the response timeout is
 * also the idle-read timeout of a body. Public for components that pass registry traffic through
 * unchanged (the proxy), so every registry connection of a node is set up the same way.
 */
public final class RegistryHttpClients {
    /** Connections kept per registry host: 32. */
    static final int MAX_CONNECTIONS_PER_HOST = 32;
    /** Connections kept in total: 128. */
    static final int MAX_CONNECTIONS = 128;
    /** Token responses are read up to 1 MiB. */
    private static final int MAX_TOKEN_BYTES = 1 << 20;

    private RegistryHttpClients() {
    }

    /**
     * A client with the config's timeouts and TLS trust; credentials in the config are not used here. With an extra CA
     * file the TLS context is built here (a bad file fails now, with its name); with the system trust store alone, on
     * the first TLS connection ({@link DeferredTlsStrategy}).
     */
    public static CloseableHttpClient create(RegistryClientConfig config) {
        TlsSocketStrategy tls = config.extraCaFile() != null ? new DefaultClientTlsStrategy(sslContext(config))
                : new DeferredTlsStrategy(() -> sslContext(config));
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setTlsSocketStrategy(tls)
                .setMaxConnPerRoute(MAX_CONNECTIONS_PER_HOST)
                .setMaxConnTotal(MAX_CONNECTIONS)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(config.connectTimeout()))
                        .setSocketTimeout(Timeout.of(config.responseTimeout()))
                        .build())
                .build();
        return org.apache.hc.client5.http.impl.classic.HttpClients.custom()
                .setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.of(config.responseTimeout()))
                        .setConnectionRequestTimeout(Timeout.of(config.responseTimeout()))
                        .setRedirectsEnabled(false)
                        .build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableContentCompression()
                .disableCookieManagement()
                // no cookie specs either: without one, build() loads the public suffix list for the default specs
                // (about 24 ms of a mount's start, on its main thread) that a client keeping no cookies never uses
                .setDefaultCookieSpecRegistry(RegistryBuilder.<CookieSpecFactory>create().build())
                .disableAuthCaching()
                .setUserAgent(config.userAgent())
                .build();
    }

    /**
     * The TLS context every registry connection uses: the system trust store plus the config's extra CA
     * file. Public so non-HttpClient transports (the proxy's Netty client) trust exactly the same roots.
     */
    public static SSLContext sslContext(RegistryClientConfig config) {
        try {
            return TlsContexts.create(config.extraCaFile());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS with CA file " + config.extraCaFile() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read CA file " + config.extraCaFile(), e);
        }
    }

    /** The token flow's HTTP exchange over the same client. */
    static TokenHttp tokenHttp(CloseableHttpClient client) {
        return (URI uri, Map<String, String> headers, byte[] formBody) -> {
            HttpUriRequestBase request = new HttpUriRequestBase(formBody == null ? "GET" : "POST", uri);
            headers.forEach(request::setHeader);
            if (formBody != null) {
                request.setEntity(new ByteArrayEntity(formBody, null));
            }
            try (ClassicHttpResponse response = client.executeOpen(null, request, null)) {
                byte[] body = response.getEntity() == null ? new byte[0]
                        : response.getEntity().getContent().readNBytes(MAX_TOKEN_BYTES + 1);
                return new TokenHttp.Answer(response.getCode(), body);
            }
        };
    }
}

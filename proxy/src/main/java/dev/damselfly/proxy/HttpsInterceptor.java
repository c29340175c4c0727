package dev.damselfly.proxy;

import dev.damselfly.proxy.intercept.CaFileException;
import dev.damselfly.proxy.intercept.HttpsInterception;
import dev.damselfly.proxy.intercept.LeafCertificates;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Terminates {@code CONNECT} tunnels to the registries listed for interception (spec dragonfly.md §4.6, Dragonfly's
 * {@code hijackHTTPS}): answers {@code 200 Connection Established}, then speaks TLS on the client connection itself
 * with a leaf certificate for the tunnel's host issued by the interception CA, and serves the decrypted HTTP/1.1
 * requests as forward-proxy requests to that registry ({@link ProxyFrontHandler} with the tunnel's registry): blob
 * GETs the rules match go P2P after the origin's authorization check, everything else passes through to the origin
 * over TLS that verifies the origin's certificate. A client's SNI, when sent, must name the tunnel's host; a
 * mismatch fails the handshake (the proxy never mints certificates for names it does not connect to).
 */
final class HttpsInterceptor {
    /** Longest wait for the client's TLS handshake after {@code 200 Connection Established}: 10,000 ms. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(HttpsInterceptor.class);

    private final List<String> hosts;
    private final LeafCertificates leaves;

    private HttpsInterceptor(List<String> hosts, LeafCertificates leaves) {
        this.hosts = hosts;
        this.leaves = leaves;
    }

    /** Loads or generates the CA; fails with a {@link CaFileException} naming the file when it cannot. */
    static HttpsInterceptor create(HttpsInterception config) throws CaFileException {
        return new HttpsInterceptor(config.hosts(), new LeafCertificates(config.loadCa()));
    }

    /** The CA's certificate file, for the start-up log line. */
    String caCertificateFile() {
        return leaves.ca().certificateFile().toString();
    }

    List<String> hosts() {
        return hosts;
    }

    /** True when {@code CONNECT}s to {@code registry} are intercepted. */
    boolean intercepts(RegistryUpstream registry) {
        return hosts.stream().anyMatch(host -> ProxyConfig.interceptionMatches(host, registry));
    }

    /** Answers the {@code CONNECT} and turns the connection into an intercepted HTTPS connection to {@code registry}. */
    void intercept(ChannelHandlerContext ctx, ProxyFrontHandler.Shared shared, RegistryUpstream registry, String host, int port) {
        Channel channel = ctx.channel();
        String tunnelHost = unbracket(host).toLowerCase(Locale.ROOT);
        SslContext context;
        try {
            context = leaves.forHost(tunnelHost);
        } catch (LeafCertificates.LeafCertificateException e) {
            LOG.error("CONNECT {}:{} ({}) refused: {}", host, port, registry.name(), e.getMessage());
            Responses.error(ctx, 502, "cannot intercept " + host + ":" + port + ": no certificate could be issued", true);
            return;
        }
        channel.config().setAutoRead(false);
        Mapping<String, SslContext> bySni = sni -> {
            if (sni != null && !unbracket(sni).equalsIgnoreCase(tunnelHost)) {
                throw new IllegalArgumentException("TLS server name " + sni + " is not the CONNECT host " + tunnelHost);
            }
            return context;
        };
        channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, new HttpResponseStatus(200, "Connection Established")))
                .addListener(written -> {
                    if (!written.isSuccess()) {
                        channel.close();
                        return;
                    }
                    ProxyChannelInitializer.interceptTls(channel.pipeline(), new SniHandler(bySni, HANDSHAKE_TIMEOUT_MILLIS),
                            shared, registry);
                    channel.config().setAutoRead(true);
                    LOG.debug("intercepting CONNECT {}:{} ({}) from {}", host, port, registry.name(), channel.remoteAddress());
                });
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}

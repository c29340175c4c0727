package dev.damselfly.proxy;

import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.proxy.intercept.HttpsInterception;
import dev.damselfly.proxy.p2p.BlobFetcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Settings of a {@link ProxyServer}. Build with {@link #builder()}.
 *
 * @param listen              address to listen on; default {@code 127.0.0.1:4001} (Dragonfly's proxy port); port 0 picks a free one
 * @param registries          the only registries reachable through the proxy; default none (everything gets 403)
 * @param defaultMirror       registry used for mirror requests that name none (docker's {@code registry-mirrors}); default the
 *                            registry named {@code docker.io} when configured, else none (such requests get 403)
 * @param upstreamTimeout     connect timeout and idle timeout (nothing read or written) toward registries; default 60 s
 * @param maxInitialLineBytes longest request line accepted; longer gets 414; default 8 KiB
 * @param maxHeaderBytes      largest request header block accepted; larger gets 431; default 16 KiB
 * @param eventLoopThreads    Netty event-loop threads serving clients and their upstream connections; default the core count
 * @param upstreamClient      TLS trust (extra CA) and plain-HTTP registries for upstream connections; credentials in it are never used
 * @param blobFetcher         serves the GETs the {@code rules} send peer-to-peer; default none: every request passes
 *                            through to the registry
 * @param rules               regular expressions searched in a GET's upstream URL without its query
 *                            ({@code https://host/v2/NAME/blobs/sha256:...}); a match sends the GET to the {@code blobFetcher}
 *                            (as does {@code X-Dragonfly-Use-P2P: true}); never HEAD or other methods; default
 *                            {@link #DEFAULT_RULES}, the Dragonfly chart's single rule
 * @param authCacheTtl        how long the origin's answer to "may this client read this blob" is reused, per credential
 *                            (hashed), registry, repository and digest; default 60 s; zero asks the origin every time
 * @param fetchThreads        threads that open fetches and read their streams (a read blocks until its pieces arrive);
 *                            more concurrent P2P responses than this wait their turn; default 16
 * @param meterRegistry       where the {@code dragonfly.client.proxy.*} counters go; default none (not recorded)
 * @param servePeersWhenOriginUnreachable when the origin cannot be reached at all (no HTTP answer to the authorization
 *                            HEAD), serve the blob from the node and its peers anyway instead of passing the GET through
 *                            to the dead origin; default false. Turning it on trades the per-client authorization check
 *                            for availability while the registry is down (an answer such as 401/403/404 still refuses)
 * @param httpsInterception   which {@code CONNECT} tunnels the proxy terminates itself (with which CA), so their blob
 *                            GETs can go P2P; default none: every allowed {@code CONNECT} is a raw tunnel
 * @param requestRateLimit    requests per second allowed per client IP address, averaged (token bucket); more get
 *                            {@code 429} with {@code Retry-After}; {@code /healthy} is exempt; default 0 = no limit
 * @param requestRateBurst    requests a client address may send at once before the rate applies (the bucket's size);
 *                            default 0 = the rate rounded up (at least 1); ignored without a rate
 */
public record ProxyConfig(
        InetSocketAddress listen,
        List<RegistryUpstream> registries,
        Optional<String> defaultMirror,
        Duration upstreamTimeout,
        int maxInitialLineBytes,
        int maxHeaderBytes,
        int eventLoopThreads,
        RegistryClientConfig upstreamClient,
        Optional<BlobFetcher> blobFetcher,
        List<Pattern> rules,
        Duration authCacheTtl,
        int fetchThreads,
        Optional<MeterRegistry> meterRegistry,
        boolean servePeersWhenOriginUnreachable,
        Optional<HttpsInterception> httpsInterception,
        double requestRateLimit,
        int requestRateBurst) {

    /** Dragonfly's proxy and mirror port: 4001. */
    public static final int DEFAULT_PORT = 4001;
    /** The rules of Dragonfly's Helm chart: blob GETs by sha256 digest go P2P. */
    public static final List<String> DEFAULT_RULES = List.of("blobs/sha256.*");
    /** Default {@code authCacheTtl}: 60 s. */
    public static final Duration DEFAULT_AUTH_CACHE_TTL = Duration.ofSeconds(60);
    /** Default {@code fetchThreads}: 16. */
    public static final int DEFAULT_FETCH_THREADS = 16;

    public ProxyConfig {
        registries = List.copyOf(registries);
        rules = List.copyOf(rules);
        if (authCacheTtl.isNegative()) {
            throw new IllegalArgumentException("authCacheTtl must not be negative, got " + authCacheTtl);
        }
        if (fetchThreads < 1) {
            throw new IllegalArgumentException("fetchThreads must be at least 1, got " + fetchThreads);
        }
        if (!(requestRateLimit >= 0) || Double.isInfinite(requestRateLimit)) {
            throw new IllegalArgumentException("requestRateLimit must be a finite number >= 0 (requests per second), got "
                    + requestRateLimit);
        }
        if (requestRateBurst < 0) {
            throw new IllegalArgumentException("requestRateBurst must not be negative, got " + requestRateBurst);
        }
        for (String host : httpsInterception.map(HttpsInterception::hosts).orElse(List.of())) {
            if (registries.stream().noneMatch(r -> interceptionMatches(host, r))) {
                throw new IllegalArgumentException("HTTPS interception host '" + host + "' is not one of the configured registries"
                        + " (name or upstream host:port)");
            }
        }
        if (defaultMirror.isPresent() && registries.stream().noneMatch(r -> r.name().equals(defaultMirror.get()))) {
            throw new IllegalArgumentException("default mirror '" + defaultMirror.get() + "' is not one of the configured registries");
        }
    }

    /** True when {@code entry} (a registry name, or an upstream {@code host[:port]}, port default 443) names {@code registry}. */
    static boolean interceptionMatches(String entry, RegistryUpstream registry) {
        return entry.equals(registry.name()) || entry.equals(registry.authority())
                || (!entry.matches(".*:\\d+$") && (entry + ":443").equals(registry.authority()));
    }

    /** The token-bucket size in effect: {@code requestRateBurst}, or the rate rounded up (at least 1) when that is 0. */
    public int effectiveRequestRateBurst() {
        return requestRateBurst > 0 ? requestRateBurst : (int) Math.max(1, Math.ceil(requestRateLimit));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults listed on {@link ProxyConfig}. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
        private List<RegistryUpstream> registries = List.of();
        private String defaultMirror;
        private Duration upstreamTimeout = Duration.ofSeconds(60);
        private int maxInitialLineBytes = 8 * 1024;
        private int maxHeaderBytes = 16 * 1024;
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private RegistryClientConfig upstreamClient = RegistryClientConfig.builder().build();
        private BlobFetcher blobFetcher;
        private List<String> rules = DEFAULT_RULES;
        private Duration authCacheTtl = DEFAULT_AUTH_CACHE_TTL;
        private boolean servePeersWhenOriginUnreachable;
        private int fetchThreads = DEFAULT_FETCH_THREADS;
        private MeterRegistry meterRegistry;
        private HttpsInterception httpsInterception;
        private double requestRateLimit;
        private int requestRateBurst;

        public Builder listen(InetSocketAddress value) {
            listen = value;
            return this;
        }

        public Builder registries(List<RegistryUpstream> value) {
            registries = value;
            return this;
        }

        public Builder defaultMirror(String value) {
            defaultMirror = value;
            return this;
        }

        public Builder upstreamTimeout(Duration value) {
            upstreamTimeout = value;
            return this;
        }

        public Builder maxInitialLineBytes(int value) {
            maxInitialLineBytes = value;
            return this;
        }

        public Builder maxHeaderBytes(int value) {
            maxHeaderBytes = value;
            return this;
        }

        public Builder eventLoopThreads(int value) {
            eventLoopThreads = value;
            return this;
        }

        public Builder upstreamClient(RegistryClientConfig value) {
            upstreamClient = value;
            return this;
        }

        /** The P2P engine; null (the default) keeps every request on the pass-through path. */
        public Builder blobFetcher(BlobFetcher value) {
            blobFetcher = value;
            return this;
        }

        /** Regular expressions (Java syntax) for the P2P rules; an empty list leaves only {@code X-Dragonfly-Use-P2P}. */
        public Builder rules(List<String> value) {
            rules = List.copyOf(value);
            return this;
        }

        public Builder authCacheTtl(Duration value) {
            authCacheTtl = value;
            return this;
        }

        public Builder fetchThreads(int value) {
            fetchThreads = value;
            return this;
        }

        /** See {@link ProxyConfig#servePeersWhenOriginUnreachable()}; default false. */
        public Builder servePeersWhenOriginUnreachable(boolean value) {
            servePeersWhenOriginUnreachable = value;
            return this;
        }

        /** Where the proxy's counters go; null (the default) records nothing. */
        public Builder meterRegistry(MeterRegistry value) {
            meterRegistry = value;
            return this;
        }

        /** See {@link ProxyConfig#httpsInterception()}; null (the default) intercepts nothing. */
        public Builder httpsInterception(HttpsInterception value) {
            httpsInterception = value;
            return this;
        }

        /** Requests per second per client address; 0 (the default) = no limit. */
        public Builder requestRateLimit(double value) {
            requestRateLimit = value;
            return this;
        }

        /** Bucket size per client address; 0 (the default) = the rate rounded up. */
        public Builder requestRateBurst(int value) {
            requestRateBurst = value;
            return this;
        }

        public ProxyConfig build() {
            Optional<String> mirror = Optional.ofNullable(defaultMirror)
                    .or(() -> registries.stream().map(RegistryUpstream::name).filter("docker.io"::equals).findFirst());
            RegistryClientConfig client = RegistryClientConfig.builder()
                    .connectTimeout(upstreamTimeout).responseTimeout(upstreamTimeout)
                    .plainHttpRegistries(upstreamClient.plainHttpRegistries())
                    .extraCaFile(upstreamClient.extraCaFile())
                    .userAgent(upstreamClient.userAgent())
                    .build();
            return new ProxyConfig(listen, registries, mirror, upstreamTimeout, maxInitialLineBytes, maxHeaderBytes,
                    eventLoopThreads, client, Optional.ofNullable(blobFetcher), compile(rules), authCacheTtl, fetchThreads,
                    Optional.ofNullable(meterRegistry), servePeersWhenOriginUnreachable, Optional.ofNullable(httpsInterception),
                    requestRateLimit, requestRateBurst);
        }

        private static List<Pattern> compile(List<String> regexes) {
            return regexes.stream().map(regex -> {
                try {
                    return Pattern.compile(regex);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("proxy rule '" + regex + "' is not a regular expression: "
                            + e.getDescription(), e);
                }
            }).toList();
        }
    }
}

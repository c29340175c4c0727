package dev.damselfly.proxy;

import dev.damselfly.oci.registry.RegistryClientConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Settings of a {@link ProxyServer}. Build with {@link #builder()}.
 *
 * @param listen              address to listen on; default {@code 127.0.0.1:4001} (Dragonfly's proxy port); port 0 picks a free one
 * @param registries          the only registries reachable through the proxy; default none (everything gets 403)
 * @param defaultMirror       registry used for mirror requests that name none (docker's {@code registry-mirrors}); default the
 *                            registry named {@code docker.io} when configured, else none (such requests get 403)
 * @param upstreamTimeout     connect timeout and idle-read timeout toward registries; default 60 s
 * @param maxInitialLineBytes longest request line accepted; longer gets 414; default 8 KiB
 * @param maxHeaderBytes      largest request header block accepted; larger gets 431; default 16 KiB
 * @param eventLoopThreads    Netty event-loop threads serving clients and their upstream connections; default the core count
 * @param upstreamClient      TLS trust (extra CA) and plain-HTTP registries for upstream connections; credentials in it are never used
 */
public record ProxyConfig(
        InetSocketAddress listen,
        List<RegistryUpstream> registries,
        Optional<String> defaultMirror,
        Duration upstreamTimeout,
        int maxInitialLineBytes,
        int maxHeaderBytes,
        int eventLoopThreads,
        RegistryClientConfig upstreamClient) {

    /** Dragonfly's proxy and mirror port: 4001. */
    public static final int DEFAULT_PORT = 4001;

    public ProxyConfig {
        registries = List.copyOf(registries);
        if (defaultMirror.isPresent() && registries.stream().noneMatch(r -> r.name().equals(defaultMirror.get()))) {
            throw new IllegalArgumentException("default mirror '" + defaultMirror.get() + "' is not one of the configured registries");
        }
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
                    eventLoopThreads, client);
        }
    }
}

package dev.damselfly.oci.registry;

import dev.damselfly.oci.auth.CredentialProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of a {@link RegistryClient}. Build with {@link #builder()}; every setting has a default.
 *
 * @param connectTimeout     TCP/TLS connect timeout; default 10 s
 * @param responseTimeout    time from sending a request to its response headers; default 60 s
 * @param maxRetries         extra attempts after a 5xx or a connection failure; default 3
 * @param initialBackoff     wait before the first retry, doubled each time; default 200 ms
 * @param maxBackoff         upper bound of one wait; default 5 s
 * @param maxRedirects       redirects followed for one request; default 5
 * @param pushChunkBytes     blobs larger than this are pushed in PATCH chunks of this size; default 64 MiB
 * @param plainHttpRegistries registries ({@code host[:port]}) spoken to over plain HTTP only; loopback
 *                           hosts ({@code localhost}, {@code 127.x}, {@code [::1]}) are tried over HTTPS
 *                           first and fall back to plain HTTP when they do not speak TLS, like Docker
 * @param extraCaFile        PEM file of CA certificates trusted in addition to the system trust store; may be null
 * @param credentials        where credentials come from; default anonymous
 * @param userAgent          the User-Agent header; default {@code damselfly}
 */
public record RegistryClientConfig(
        Duration connectTimeout,
        Duration responseTimeout,
        int maxRetries,
        Duration initialBackoff,
        Duration maxBackoff,
        int maxRedirects,
        long pushChunkBytes,
        Set<String> plainHttpRegistries,
        Path extraCaFile,
        CredentialProvider credentials,
        String userAgent) {

    /** Default push chunk: 64 MiB. */
    public static final long DEFAULT_PUSH_CHUNK_BYTES = 64L << 20;

    public RegistryClientConfig {
        plainHttpRegistries = Set.copyOf(plainHttpRegistries);
        if (pushChunkBytes <= 0) {
            throw new IllegalArgumentException("pushChunkBytes must be positive, got " + pushChunkBytes);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy with different credentials. */
    public RegistryClientConfig withCredentials(CredentialProvider newCredentials) {
        return new RegistryClientConfig(connectTimeout, responseTimeout, maxRetries, initialBackoff, maxBackoff,
                maxRedirects, pushChunkBytes, plainHttpRegistries, extraCaFile, newCredentials, userAgent);
    }

    /** True when {@code registry} (host[:port]) is configured for plain HTTP only. */
    public boolean usesPlainHttp(String registry) {
        return plainHttpRegistries.contains(registry);
    }

    /**
     * True when {@code registry} may fall back to plain HTTP after a failed TLS handshake: the
     * loopback hosts, which Docker also treats as insecure registries by default.
     */
    public boolean mayFallBackToPlainHttp(String registry) {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1)
                : registry.contains(":") ? registry.substring(0, registry.indexOf(':')) : registry;
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    /** Builder with the defaults listed on {@link RegistryClientConfig}. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private int maxRedirects = 5;
        private long pushChunkBytes = DEFAULT_PUSH_CHUNK_BYTES;
        private Set<String> plainHttpRegistries = Set.of();
        private Path extraCaFile;
        private CredentialProvider credentials = CredentialProvider.ANONYMOUS;
        private String userAgent = "damselfly";

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder responseTimeout(Duration value) {
            responseTimeout = value;
            return this;
        }

        public Builder maxRetries(int value) {
            maxRetries = value;
            return this;
        }

        public Builder initialBackoff(Duration value) {
            initialBackoff = value;
            return this;
        }

        public Builder maxBackoff(Duration value) {
            maxBackoff = value;
            return this;
        }

        public Builder maxRedirects(int value) {
            maxRedirects = value;
            return this;
        }

        public Builder pushChunkBytes(long value) {
            pushChunkBytes = value;
            return this;
        }

        public Builder plainHttpRegistries(Set<String> value) {
            plainHttpRegistries = value;
            return this;
        }

        public Builder extraCaFile(Path value) {
            extraCaFile = value;
            return this;
        }

        public Builder credentials(CredentialProvider value) {
            credentials = value;
            return this;
        }

        public Builder userAgent(String value) {
            userAgent = value;
            return this;
        }

        public RegistryClientConfig build() {
            return new RegistryClientConfig(connectTimeout, responseTimeout, maxRetries, initialBackoff, maxBackoff,
                    maxRedirects, pushChunkBytes, plainHttpRegistries, extraCaFile, credentials, userAgent);
        }
    }
}

package dev.damselfly.peer.node;

import dev.damselfly.exchange.Origin;
import dev.damselfly.exchange.engine.HttpRangeOrigin;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * Makes the {@link Origin} of a download from its URL: Range GETs through one shared HTTP client (TLS with the
 * system trust store; redirects followed by the origin with credentials dropped across hosts).
 */
public final class OriginFactory implements AutoCloseable {
    private final CloseableHttpClient http;

    public OriginFactory() {
        this.http = RegistryHttpClients.create(RegistryClientConfig.builder().build());
    }

    /**
     * @param url absolute http or https URL
     * @param headers sent to the origin with every request (e.g. Authorization)
     * @throws IllegalArgumentException when the URL is not absolute http(s)
     */
    public Origin forUrl(URI url, Map<String, String> headers) {
        return new HttpRangeOrigin(http, url, headers);
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}

package dev.damselfly.exchange.engine;

import static dev.damselfly.exchange.engine.DownloadEngineOriginTest.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.oci.registry.RegistryHttpClients;
import dev.damselfly.testkit.image.DeterministicBytes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpRangeOrigin} against loopback HTTP servers. */
class HttpRangeOriginTest {
    private static final byte[] BODY = DeterministicBytes.bytes(3, 300_000);
    private RangeHttpServer http;
    private CloseableHttpClient client;

    @BeforeEach
    void start() throws Exception {
        http = new RangeHttpServer();
        client = RegistryHttpClients.create(RegistryClientConfig.builder().build());
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        http.close();
    }

    @Test
    void lengthByAOneByteRangeGetAndBytesByRangeGets() throws Exception {
        URI url = http.put("/f", BODY);
        HttpRangeOrigin origin = new HttpRangeOrigin(client, URI.create(url + "?X-Amz-Signature=secret"), Map.of());
        assertEquals(BODY.length, origin.contentLength());
        assertEquals(List.of("bytes=0-0"), http.ranges(), "spec §3.8: GET bytes=0-0, not HEAD");
        byte[] part = readAll(origin.openRange(1000, 5000));
        assertArrayEquals(java.util.Arrays.copyOfRange(BODY, 1000, 6000), part);
        assertEquals("bytes=1000-5999", http.ranges().get(1));
        assertFalse(origin.describe().contains("secret"), origin.describe());
    }

    @Test
    void aServerIgnoringRangeIsReadBySkipping() throws Exception {
        URI url = http.put("/norange", BODY);
        http.ignoreRange(true);
        HttpRangeOrigin origin = new HttpRangeOrigin(client, url, Map.of());
        assertEquals(BODY.length, origin.contentLength());
        assertArrayEquals(java.util.Arrays.copyOfRange(BODY, 250_000, 260_000), readAll(origin.openRange(250_000, 10_000)));
    }

    @Test
    void anEmptyFileHasLengthZero() throws Exception {
        URI url = http.put("/empty", new byte[0]);
        assertEquals(0, new HttpRangeOrigin(client, url, Map.of()).contentLength());
    }

    @Test
    void redirectsAreFollowedAndCredentialsDroppedAcrossHosts() throws Exception {
        URI target = http.put("/real", BODY);
        // "localhost" vs "127.0.0.1": another host name for the same server
        URI elsewhere = URI.create(target.toString().replace("127.0.0.1", "localhost"));
        List<String> authSeen = new CopyOnWriteArrayList<>();
        HttpServer redirector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        redirector.createContext("/", ex -> {
            authSeen.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            ex.getResponseHeaders().set("Location", elsewhere.toString());
            ex.sendResponseHeaders(307, -1);
            ex.close();
        });
        redirector.start();
        try {
            URI url = URI.create("http://127.0.0.1:" + redirector.getAddress().getPort() + "/start");
            HttpRangeOrigin origin = new HttpRangeOrigin(client, url, Map.of("Authorization", "Bearer t0ken"));
            assertArrayEquals(java.util.Arrays.copyOfRange(BODY, 10, 20), readAll(origin.openRange(10, 10)));
            assertEquals("Bearer t0ken", authSeen.get(0), "sent to the first host");
            assertEquals(List.of("null"), http.authorizations(), "not sent to the host redirected to");
        } finally {
            redirector.stop(0);
        }
    }

    @Test
    void errorsAreTypedWithTheStatus() {
        URI missing = URI.create(http.put("/a", BODY).resolve("/nothing").toString());
        HttpRangeOrigin origin = new HttpRangeOrigin(client, missing, Map.of());
        OriginResponseException e = assertThrows(OriginResponseException.class, () -> origin.openRange(0, 10));
        assertEquals(404, e.status());
        assertThrows(IllegalArgumentException.class, () -> new HttpRangeOrigin(client, URI.create("ftp://x/y"), Map.of()));
    }
}

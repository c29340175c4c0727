package dev.damselfly.oci.registry;

import static dev.damselfly.oci.registry.RegistryTestSupport.content;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushBlob;
import static dev.damselfly.oci.registry.RegistryTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.testkit.proxy.FaultInjectingProxy;
import dev.damselfly.testkit.proxy.ProxyRequest;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failures between the client and a real registry (htpasswd auth, so requests carry Authorization),
 * injected by a proxy in front of it: 5xx, 429, resets, truncation, redirects, ignored Range.
 */
class RegistryClientFaultsTest {
    private static final String USER = "faults";
    private static final String PASSWORD = "faults-password";

    private static RegistryServer registry;
    private static FaultInjectingProxy proxy;
    private static RegistryClient client;
    private static ImageReference repo;
    private static byte[] bytes;
    private static Digest digest;

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryServer.start(RegistryAuth.htpasswd(USER, PASSWORD));
        proxy = FaultInjectingProxy.start(registry);
        client = RegistryTestSupport.client(CredentialProvider.of(proxy.hostPort(), Credentials.basic(USER, PASSWORD)));
        repo = ImageReference.parse(proxy.hostPort() + "/faults/blob:latest");
        bytes = content(11, 200_000);
        digest = pushBlob(client, repo, bytes, MediaTypes.OCI_LAYER_TAR).digest();
    }

    @AfterAll
    static void stop() {
        client.close();
        proxy.close();
        registry.close();
    }

    @AfterEach
    void clear() {
        proxy.clearRules();
        proxy.resetRequests();
    }

    @Test
    void serverErrorsAreRetriedWithBackoff() throws Exception {
        proxy.failNext(2, 503, ProxyRequest.blobGets());
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
        assertEquals(3, proxy.count(ProxyRequest.blobGets()), "two 503s, then success");
    }

    @Test
    void serverErrorsBeyondTheRetryBudgetAreTyped() {
        proxy.failNext(10, 502, ProxyRequest.blobGets());
        RegistryException.ServerException e = assertThrows(RegistryException.ServerException.class,
                () -> client.pullBlob(repo, digest, bytes.length));
        assertEquals(502, e.status());
        assertEquals(4, proxy.count(ProxyRequest.blobGets()), "1 attempt + 3 retries");
    }

    @Test
    void notFoundIsNeverRetried() {
        Digest absent = Digest.sha256(new byte[] {42});
        assertThrows(RegistryException.NotFoundException.class, () -> client.pullBlob(repo, absent, 1));
        assertEquals(1, proxy.count(ProxyRequest.blobGets()));
    }

    @Test
    void tooManyRequestsCarriesRetryAfterAndIsNotRetried() {
        proxy.failNext(1, 429, Duration.ofSeconds(7), ProxyRequest.blobGets());
        RegistryException.TooManyRequestsException e = assertThrows(RegistryException.TooManyRequestsException.class,
                () -> client.pullBlob(repo, digest, bytes.length));
        assertEquals(7, e.retryAfterSeconds());
        assertEquals(1, proxy.count(ProxyRequest.blobGets()));
    }

    @Test
    void connectionResetsAreRetried() throws Exception {
        proxy.resetConnectionNext(2, ProxyRequest.manifestReads().or(ProxyRequest.blobGets()));
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
        assertEquals(3, proxy.count(ProxyRequest.blobGets()));
    }

    @Test
    void bodyBrokenMidwayIsResumedFromTheByteReached() throws Exception {
        proxy.truncateResponseNext(2, 70_000, ProxyRequest.blobGets());
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
        assertEquals(3, proxy.count(ProxyRequest.blobGets()), "the first GET and two resumes");
        assertEquals(2, proxy.count(ProxyRequest.blobGets().and(ProxyRequest.withRange())), "resumes ask for the rest only");
    }

    @Test
    void bodyThatKeepsBreakingIsAnErrorNotAShortBlob() throws Exception {
        proxy.truncateResponseNext(10, 1000, ProxyRequest.blobGets());
        try (InputStream in = client.pullBlob(repo, digest, bytes.length)) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("resume"), String.valueOf(e));
        }
        assertEquals(4, proxy.count(ProxyRequest.blobGets()), "1 attempt + 3 resumes");
    }

    @Test
    void redirectTargetNeverSeesTheRegistryAuthorization() throws Exception {
        proxy.redirectBlobs();
        assertArrayEquals(bytes, readAll(client.pullBlob(repo, digest, bytes.length)));
        assertArrayEquals(Arrays.copyOfRange(bytes, 500, 1500), readAll(client.pullBlobRange(repo, digest, ByteRange.of(500, 1000))));
        assertEquals(2, proxy.blobStorage().requests());
        assertEquals(0, proxy.blobStorage().rejectedAuthorization(), "blob storage rejects any request with Authorization");
        assertTrue(proxy.count(r -> r.isBlob() && r.hasAuthorization()) >= 2, "the registry itself did get credentials");
    }

    @Test
    void registryIgnoringRangeStillYieldsExactlyTheRange() throws Exception {
        proxy.ignoreRange(ProxyRequest.blobGets());
        assertArrayEquals(Arrays.copyOfRange(bytes, 123_456, 133_456),
                readAll(client.pullBlobRange(repo, digest, ByteRange.of(123_456, 10_000))));
        assertArrayEquals(Arrays.copyOfRange(bytes, 199_990, 200_000), readAll(client.pullBlobRange(repo, digest, ByteRange.suffix(10))));
        assertThrows(RegistryException.RangeNotSatisfiableException.class,
                () -> client.pullBlobRange(repo, digest, ByteRange.of(200_000, 1)));
    }

    @Test
    void wrongPasswordIsUnauthorizedAndNoCredentialsToo() {
        try (RegistryClient wrong = RegistryTestSupport.client(CredentialProvider.of(proxy.hostPort(), Credentials.basic(USER, "nope")));
             RegistryClient anonymous = RegistryTestSupport.client()) {
            RegistryException.UnauthorizedException e = assertThrows(RegistryException.UnauthorizedException.class,
                    () -> wrong.pullBlob(repo, digest, bytes.length));
            assertEquals(401, e.status());
            assertThrows(RegistryException.UnauthorizedException.class, () -> anonymous.blobSize(repo, digest));
        }
    }

    @Test
    void credentialsAreLookedUpOncePerRegistryNotPerRequest() throws Exception {
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        CredentialProvider counting = registry -> {
            lookups.incrementAndGet();
            return CredentialProvider.of(proxy.hostPort(), Credentials.basic(USER, PASSWORD)).forRegistry(registry);
        };
        try (RegistryClient counted = RegistryTestSupport.client(counting)) {
            for (int i = 0; i < 5; i++) {
                assertEquals(bytes.length, counted.blobSize(repo, digest).orElseThrow());
            }
        }
        assertEquals(1, lookups.get(), "a credential helper would otherwise run once per request");
    }
}

package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.proxy.intercept.CaFileException;
import dev.damselfly.proxy.intercept.HttpsInterception;
import dev.damselfly.proxy.intercept.InterceptionCa;
import dev.damselfly.proxy.p2p.BlobRequest;
import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.registry.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS interception against a real TLS docker-registry with Basic auth: real HTTPS clients (the JDK's HttpClient
 * and curl) configured to use the proxy pull a blob (served through the {@code BlobFetcher}, after the origin's
 * authorization check) and a manifest (passed through over verified TLS) with the proxy's CA; a client that does not
 * trust that CA fails the handshake; the same registry reached under a non-intercepted name is a raw tunnel (the
 * registry's own certificate reaches the client); the generated CA survives a restart; bad CA files stop the start.
 */
class HttpsInterceptionTest {
    private static final String USER = "tls-user";
    private static final String PASSWORD = "tls-password";
    private static final String BASIC = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final String REPO = "private/app";

    @TempDir
    static Path temp;

    private static RegistryServer registry;
    private static TlsMaterial registryTls;
    private static RegistryClient origin;
    private static RegistryBlobFetcher fetcher;
    private static ProxyServer proxy;
    private static Path caDir;
    private static String intercepted;
    private static String tunneled;
    private static byte[] blob;
    private static Digest blobDigest;
    private static ManifestDocument manifest;

    @BeforeAll
    static void start() throws IOException {
        registry = RegistryServer.builder().tls().auth(RegistryAuth.htpasswd(USER, PASSWORD)).start();
        registryTls = registry.tls().orElseThrow();
        origin = RegistryClient.create(RegistryClientConfig.builder().extraCaFile(registryTls.caFile())
                .credentials(CredentialProvider.of(registry.hostPort(), Credentials.basic(USER, PASSWORD))).build());
        blob = DeterministicBytes.bytes(31, 3 * 1024 * 1024 + 11);
        blobDigest = Digest.sha256(blob);
        ImageReference app = ImageReference.parse(registry.hostPort() + "/" + REPO + ":v1");
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8);
        origin.pushBlob(app, Digest.sha256(config), config.length, new ByteArrayInputStream(config), n -> { });
        origin.pushBlob(app, blobDigest, blob.length, new ByteArrayInputStream(blob), n -> { });
        manifest = ManifestDocument.of(new ImageManifest(2, MediaTypes.OCI_MANIFEST, null,
                new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
                List.of(new Descriptor(MediaTypes.OCI_LAYER_TAR, blobDigest, blob.length)), null, null));
        origin.pushManifest(app, manifest);
        fetcher = new RegistryBlobFetcher(origin, registry.hostPort());
        fetcher.behave(RegistryBlobFetcher.Behaviour.normal().withFiles()); // as the node's fetcher: files offered
        intercepted = "127.0.0.1:" + registry.port();
        tunneled = "localhost:" + registry.port();
        caDir = temp.resolve("proxy-ca");
        proxy = startProxy(HttpsInterception.generatedCa(List.of(intercepted), caDir));
    }

    private static ProxyServer startProxy(HttpsInterception interception) throws IOException {
        return ProxyServer.start(ProxyConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .registries(List.of(
                        new RegistryUpstream(intercepted, URI.create("https://" + intercepted)),
                        new RegistryUpstream(tunneled, URI.create("https://" + tunneled))))
                .upstreamClient(RegistryClientConfig.builder().extraCaFile(registryTls.caFile()).build())
                .upstreamTimeout(Duration.ofSeconds(5))
                .blobFetcher(fetcher)
                .fetchThreads(2)
                .httpsInterception(interception)
                .build());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static HttpClient client(ProxyServer through, SSLContext trust) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).proxy(ProxySelector.of(through.address()))
                .sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static SSLContext trusting(X509Certificate ca) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static X509Certificate readCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static HttpResponse<byte[]> get(HttpClient client, String authority, String path, String authorization,
            String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://" + authority + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static long fetchesOf(Digest digest) {
        return fetcher.requests.stream().filter(r -> r.digest().equals(digest)).count();
    }

    @Test
    void blobGoesThroughTheFetcherAndManifestPassesThroughTheInterception() throws Exception {
        X509Certificate proxyCa = readCertificate(caDir.resolve(InterceptionCa.CERT_FILE));
        HttpClient client = client(proxy, trusting(proxyCa));
        long before = fetchesOf(blobDigest);
        int regions = fetcher.regionsHandedOut.get();

        HttpResponse<byte[]> blobResponse = get(client, intercepted, "/v2/" + REPO + "/blobs/" + blobDigest, BASIC, null);
        assertEquals(200, blobResponse.statusCode());
        assertArrayEquals(blob, blobResponse.body());
        assertEquals(regions, fetcher.regionsHandedOut.get(), "over TLS the body is streamed, never sent as file regions");
        assertEquals(before + 1, fetchesOf(blobDigest), "the blob went through the BlobFetcher");
        BlobRequest recorded = fetcher.requests.get(fetcher.requests.size() - 1);
        assertEquals(URI.create("https://" + intercepted + "/v2/" + REPO + "/blobs/" + blobDigest), recorded.url());
        assertEquals(BASIC, recorded.originHeader("Authorization").orElseThrow());
        // The client spoke TLS with the proxy: the leaf it saw is issued by the proxy's CA, for the CONNECT host.
        X509Certificate leaf = (X509Certificate) blobResponse.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(proxyCa.getSubjectX500Principal(), leaf.getIssuerX500Principal());
        leaf.verify(proxyCa.getPublicKey());

        int requestsBefore = fetcher.requests.size();
        HttpResponse<byte[]> manifestResponse = get(client, intercepted, "/v2/" + REPO + "/manifests/v1", BASIC, MediaTypes.OCI_MANIFEST);
        assertEquals(200, manifestResponse.statusCode());
        assertArrayEquals(manifest.bytes(), manifestResponse.body());
        assertEquals(requestsBefore, fetcher.requests.size(), "the manifest passed through, not through the fetcher");
    }

    @Test
    void interceptedBlobWithoutCredentialsGetsTheRegistrysRefusal() throws Exception {
        HttpClient client = client(proxy, trusting(readCertificate(caDir.resolve(InterceptionCa.CERT_FILE))));
        get(client, intercepted, "/v2/" + REPO + "/blobs/" + blobDigest, BASIC, null); // cached in the fetcher
        int requestsBefore = fetcher.requests.size();
        HttpResponse<byte[]> refused = get(client, intercepted, "/v2/" + REPO + "/blobs/" + blobDigest, null, null);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.headers().firstValue("WWW-Authenticate").isPresent());
        assertEquals(requestsBefore, fetcher.requests.size(), "nothing was served from the fetcher");
    }

    @Test
    void curlThroughTheProxyWithTheCaFilePullsTheBlob() throws Exception {
        Path out = temp.resolve("curl-blob");
        Process curl = new ProcessBuilder("curl", "-sS", "--fail", "--max-time", "30",
                "--proxy", "http://" + proxy.hostPort(), "--cacert", caDir.resolve(InterceptionCa.CERT_FILE).toString(),
                "-u", USER + ":" + PASSWORD, "-o", out.toString(),
                "https://" + intercepted + "/v2/" + REPO + "/blobs/" + blobDigest)
                .redirectErrorStream(true).start();
        assertTrue(curl.waitFor(40, TimeUnit.SECONDS), "curl finished");
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.exitValue(), output);
        assertArrayEquals(blob, Files.readAllBytes(out));
    }

    @Test
    void clientThatDoesNotTrustTheProxyCaFailsTheHandshake() throws Exception {
        // Trusts the registry's own CA only: the proxy's leaf must be refused.
        HttpClient client = client(proxy, registryTls.sslContext());
        long before = fetchesOf(blobDigest);
        IOException failure = assertThrows(IOException.class,
                () -> get(client, intercepted, "/v2/" + REPO + "/blobs/" + blobDigest, BASIC, null));
        assertTrue(causes(failure, SSLHandshakeException.class), failure.toString());
        assertEquals(before, fetchesOf(blobDigest));
    }

    @Test
    void serverNameOtherThanTheConnectHostFailsTheHandshake() throws Exception {
        SSLContext trust = trusting(readCertificate(caDir.resolve(InterceptionCa.CERT_FILE)));
        try (Socket socket = new Socket("127.0.0.1", proxy.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("CONNECT " + intercepted + " HTTP/1.1\r\nHost: " + intercepted + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(socket, "elsewhere.example", 443, false);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName("elsewhere.example")));
            tls.setSSLParameters(parameters);
            assertThrows(IOException.class, tls::startHandshake, "no certificate is minted for a name the tunnel does not reach");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }

    @Test
    void nonInterceptedAllowedHostIsARawTunnel() throws Exception {
        HttpClient client = client(proxy, registryTls.sslContext());
        int requestsBefore = fetcher.requests.size();
        HttpResponse<byte[]> response = get(client, tunneled, "/v2/" + REPO + "/blobs/" + blobDigest, BASIC, null);
        assertEquals(200, response.statusCode());
        assertArrayEquals(blob, response.body());
        X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        assertEquals(readCertificate(registryTls.certificateFile()), leaf, "the registry's own certificate came through the tunnel");
        assertEquals(requestsBefore, fetcher.requests.size(), "a raw tunnel never reaches the fetcher");
    }

    @Test
    void connectToAHostNotAllowedIsStill403() throws Exception {
        HttpClient client = client(proxy, registryTls.sslContext());
        IOException failure = assertThrows(IOException.class,
                () -> get(client, "127.0.0.2:" + registry.port(), "/v2/", null, null));
        assertTrue(failure.getMessage() != null && failure.getMessage().contains("403"), failure.toString());
    }

    @Test
    void generatedCaIsReusedAfterARestart() throws Exception {
        byte[] caBefore = Files.readAllBytes(caDir.resolve(InterceptionCa.CERT_FILE));
        byte[] keyBefore = Files.readAllBytes(caDir.resolve(InterceptionCa.KEY_FILE));
        try (ProxyServer restarted = startProxy(HttpsInterception.generatedCa(List.of(intercepted), caDir))) {
            assertArrayEquals(caBefore, Files.readAllBytes(caDir.resolve(InterceptionCa.CERT_FILE)));
            assertArrayEquals(keyBefore, Files.readAllBytes(caDir.resolve(InterceptionCa.KEY_FILE)));
            HttpClient client = client(restarted, trusting(readCertificate(caDir.resolve(InterceptionCa.CERT_FILE))));
            HttpResponse<byte[]> response = get(client, intercepted, "/v2/" + REPO + "/blobs/" + blobDigest, BASIC, null);
            assertEquals(200, response.statusCode());
            assertArrayEquals(blob, response.body());
        }
    }

    @Test
    void operatorCaIsUsedForLeafCertificates() throws Exception {
        Path operatorDir = temp.resolve("operator-ca");
        InterceptionCa.loadOrGenerate(operatorDir);
        Path cert = operatorDir.resolve(InterceptionCa.CERT_FILE);
        try (ProxyServer withOperatorCa = startProxy(HttpsInterception.operatorCa(List.of(intercepted), cert,
                operatorDir.resolve(InterceptionCa.KEY_FILE)))) {
            HttpClient client = client(withOperatorCa, trusting(readCertificate(cert)));
            HttpResponse<byte[]> response = get(client, intercepted, "/v2/" + REPO + "/manifests/v1", BASIC, MediaTypes.OCI_MANIFEST);
            assertEquals(200, response.statusCode());
            assertArrayEquals(manifest.bytes(), response.body());
            X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
            leaf.verify(readCertificate(cert).getPublicKey());
        }
    }

    @Test
    void badCaFilesStopTheStartWithAClearError() throws Exception {
        Path missing = temp.resolve("missing.pem");
        assertStartFails(HttpsInterception.operatorCa(List.of(intercepted), missing, registryTls.keyFile()), missing, "does not exist");

        Path garbage = Files.writeString(temp.resolve("garbage.pem"), "not a certificate\n");
        assertStartFails(HttpsInterception.operatorCa(List.of(intercepted), garbage, registryTls.keyFile()), garbage,
                "holds no PEM certificate");

        // The registry's server certificate is not a CA.
        assertStartFails(HttpsInterception.operatorCa(List.of(intercepted), registryTls.certificateFile(), registryTls.keyFile()),
                registryTls.certificateFile(), "not a CA certificate");

        // A CA certificate with somebody else's key.
        Path otherDir = temp.resolve("other-ca");
        InterceptionCa.loadOrGenerate(otherDir);
        assertStartFails(HttpsInterception.operatorCa(List.of(intercepted), otherDir.resolve(InterceptionCa.CERT_FILE),
                registryTls.keyFile()), registryTls.keyFile(), "does not belong to the certificate");

        // A CA directory that lost its key is never silently replaced.
        Path halfDir = Files.createDirectories(temp.resolve("half-ca"));
        Files.copy(otherDir.resolve(InterceptionCa.CERT_FILE), halfDir.resolve(InterceptionCa.CERT_FILE));
        assertStartFails(HttpsInterception.generatedCa(List.of(intercepted), halfDir), halfDir.resolve(InterceptionCa.KEY_FILE),
                "missing");
        assertFalse(Files.exists(halfDir.resolve(InterceptionCa.KEY_FILE)));
    }

    @Test
    void interceptionHostsMustBeConfiguredRegistries() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ProxyConfig.builder()
                .registries(List.of(new RegistryUpstream(intercepted, URI.create("https://" + intercepted))))
                .httpsInterception(HttpsInterception.generatedCa(List.of("ghcr.io"), caDir))
                .build());
        assertTrue(refused.getMessage().contains("ghcr.io"), refused.getMessage());
    }

    private static void assertStartFails(HttpsInterception interception, Path file, String problem) {
        CaFileException failure = assertThrows(CaFileException.class, () -> startProxy(interception).close());
        assertEquals(file, failure.file());
        assertTrue(failure.getMessage().contains(file.toString()) && failure.getMessage().contains(problem), failure.getMessage());
    }

    private static boolean causes(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}

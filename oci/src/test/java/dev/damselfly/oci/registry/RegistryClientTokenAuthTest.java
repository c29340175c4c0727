package dev.damselfly.oci.registry;

import static dev.damselfly.oci.registry.RegistryTestSupport.content;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushBlob;
import static dev.damselfly.oci.registry.RegistryTestSupport.pushImage;
import static dev.damselfly.oci.registry.RegistryTestSupport.readAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.token.TokenServer;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The bearer-token flow against a real registry configured with our token server. */
class RegistryClientTokenAuthTest {
    private static TokenServer tokens;
    private static RegistryServer registry;
    private static CredentialProvider credentials;

    @BeforeAll
    static void start() {
        tokens = TokenServer.builder().user(TokenServer.DEFAULT_USER, TokenServer.DEFAULT_PASSWORD).start();
        registry = RegistryServer.start(RegistryAuth.token(tokens));
        credentials = CredentialProvider.of(registry.hostPort(), Credentials.basic(TokenServer.DEFAULT_USER, TokenServer.DEFAULT_PASSWORD));
    }

    @AfterAll
    static void stop() {
        registry.close();
        tokens.close();
    }

    @AfterEach
    void reset() {
        tokens.issueExpiredTokens(false);
        tokens.setLifetime(TokenServer.DEFAULT_LIFETIME);
    }

    private static ImageReference repo(String name) {
        return ImageReference.parse(registry.hostPort() + "/" + name + ":latest");
    }

    @Test
    void pushAndPullWithOneTokenPerScope() throws Exception {
        try (RegistryClient client = RegistryTestSupport.client(credentials)) {
            ImageReference ref = repo("token/app");
            long before = tokens.tokensIssued();
            ManifestDocument manifest = pushImage(client, ref, content(21, 10_000));
            long afterPush = tokens.tokensIssued();
            assertEquals(manifest.digest(), client.pullManifest(ref).digest());
            byte[] layer = content(21, 10_000);
            assertArrayEquals(layer, readAll(client.pullBlob(ref, Digest.sha256(layer), layer.length)));
            long afterPull = tokens.tokensIssued();
            assertTrue(afterPush - before <= 2, "tokens are cached per scope, not fetched per request: " + (afterPush - before));
            assertTrue(afterPull - afterPush <= 1, "the pull scope needs at most one more token: " + (afterPull - afterPush));
        }
    }

    @Test
    void anonymousAndWrongPasswordAreUnauthorized() throws Exception {
        try (RegistryClient anonymous = RegistryTestSupport.client();
             RegistryClient wrong = RegistryTestSupport.client(CredentialProvider.of(registry.hostPort(),
                     Credentials.basic(TokenServer.DEFAULT_USER, "wrong")))) {
            assertThrows(RegistryException.UnauthorizedException.class, () -> anonymous.pullManifest(repo("token/none")));
            RegistryException.UnauthorizedException e = assertThrows(RegistryException.UnauthorizedException.class,
                    () -> wrong.pullManifest(repo("token/none")));
            assertTrue(e.getMessage().contains("token server"), e.getMessage());
        }
    }

    @Test
    void tokenExpiringMidUploadIsRenewedBeforeTheNextChunk() throws Exception {
        tokens.setLifetime(Duration.ofSeconds(6));
        byte[] bytes = content(22, 4 * 65536);
        Digest digest = Digest.sha256(bytes);
        try (RegistryClient client = RegistryClient.create(RegistryClientConfig.builder().credentials(credentials)
                .pushChunkBytes(65536).build())) {
            long before = tokens.tokensIssued();
            // Each chunk takes ~0.7 s: the 6 s token (renewed 5 s early) runs out during the upload.
            client.pushBlob(repo("token/slow"), digest, bytes.length, new SlowStream(new ByteArrayInputStream(bytes), 65536, 700), n -> { });
            assertTrue(tokens.tokensIssued() - before >= 2, "a fresh token was fetched mid-upload");
            assertEquals(bytes.length, client.blobSize(repo("token/slow"), digest).orElseThrow());
        }
    }

    @Test
    void tokenRefusedByTheRegistryIsDroppedAndFetchedOnce() throws Exception {
        try (RegistryClient client = RegistryTestSupport.client(credentials)) {
            byte[] bytes = content(23, 5000);
            ImageReference ref = repo("token/expired");
            Digest digest = pushBlob(client, ref, bytes, MediaTypes.OCI_LAYER_TAR).digest();
            tokens.issueExpiredTokens(true);
            try (RegistryClient fresh = RegistryTestSupport.client(credentials)) {
                assertThrows(RegistryException.UnauthorizedException.class, () -> fresh.blobSize(ref, digest),
                        "a token the registry refuses is retried once, then the error surfaces");
                tokens.issueExpiredTokens(false);
                long before = tokens.tokensIssued();
                assertEquals(bytes.length, fresh.blobSize(ref, digest).orElseThrow(),
                        "the cached bad token is dropped after the 401 and a good one fetched");
                assertEquals(1, tokens.tokensIssued() - before);
            }
        }
    }

    /** Sleeps after each {@code every} bytes, to make an upload last. */
    private static final class SlowStream extends FilterInputStream {
        private final int every;
        private final long sleepMillis;
        private long sinceSleep;

        SlowStream(InputStream in, int every, long sleepMillis) {
            super(in);
            this.every = every;
            this.sleepMillis = sleepMillis;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (sinceSleep >= every) {
                sinceSleep = 0;
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            int n = super.read(b, off, (int) Math.min(len, every - sinceSleep));
            if (n > 0) {
                sinceSleep += n;
            }
            return n;
        }
    }
}

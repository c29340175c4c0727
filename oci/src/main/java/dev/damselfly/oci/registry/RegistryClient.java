package dev.damselfly.oci.registry;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.BearerTokenFetcher;
import dev.damselfly.oci.auth.RegistryAuthenticator;
import dev.damselfly.oci.auth.TokenCache;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;

/**
 * The registry client every module uses: manifests (pull, HEAD, push, platform resolution), blobs
 * (verified streaming GET, Range GET, HEAD, monolithic and chunked push, cross-repository mount).
 * One instance is thread-safe and reuses connections; share it.
 *
 * <p>Errors are {@link RegistryException} subtypes naming the reference and HTTP status, or
 * {@link dev.damselfly.oci.DigestMismatchException} for content that does not match its digest.
 */
public final class RegistryClient implements AutoCloseable {
    /** Config blobs read into memory are refused above this size: 16 MiB. */
    public static final int MAX_IN_MEMORY_BLOB_BYTES = 16 << 20;

    private final RegistryClientConfig config;
    private final ManifestPuller manifestPuller;
    private final ManifestPusher manifestPusher;
    private final BlobPuller blobPuller;
    private final BlobPusher blobPusher;

    private final CloseableHttpClient http;

    private RegistryClient(RegistryClientConfig config, CloseableHttpClient http, RegistryHttp transport) {
        this.config = config;
        this.http = http;
        this.manifestPuller = new ManifestPuller(transport);
        this.manifestPusher = new ManifestPusher(transport);
        this.blobPuller = new BlobPuller(transport, config);
        this.blobPusher = new BlobPusher(transport, config.pushChunkBytes());
    }

    /** A client with the given settings (TLS from the system trust store plus {@code extraCaFile}). */
    public static RegistryClient create(RegistryClientConfig config) {
        CloseableHttpClient http = RegistryHttpClients.create(config);
        Clock clock = Clock.systemUTC();
        RegistryAuthenticator authenticator = new RegistryAuthenticator(config.credentials(),
                new BearerTokenFetcher(RegistryHttpClients.tokenHttp(http), clock), new TokenCache(clock));
        return new RegistryClient(config, http, new RegistryHttp(http, config, authenticator));
    }

    /** Closes pooled connections. */
    @Override
    public void close() {
        try {
            http.close();
        } catch (IOException ignored) {
            // Closing idle sockets cannot lose data.
        }
    }

    public RegistryClientConfig config() {
        return config;
    }

    /** The manifest or index the reference names (by tag or digest), verified against the digest. */
    public ManifestDocument pullManifest(ImageReference ref) throws IOException {
        return manifestPuller.pull(ref);
    }

    /** Descriptor of the manifest (digest, media type, size) by {@code HEAD}, or empty if unknown. */
    public Optional<Descriptor> headManifest(ImageReference ref) throws IOException {
        return manifestPuller.head(ref);
    }

    /**
     * The image manifest for {@code platform}: the reference's manifest itself, or the matching entry
     * of its index.
     *
     * @throws RegistryException.NotFoundException when the index has no manifest for the platform
     */
    public ManifestDocument resolveManifest(ImageReference ref, Platform platform) throws IOException {
        ManifestDocument document = pullManifest(ref);
        if (!document.isIndex()) {
            return document;
        }
        Descriptor chosen = document.index().select(platform).orElseThrow(() -> new RegistryException.NotFoundException(
                ref.toString(), "no manifest for platform " + platform + " in the index"));
        ManifestDocument manifest = pullManifest(ref.withDigest(chosen.digest()));
        if (manifest.isIndex()) {
            throw new RegistryException.UnexpectedResponseException(ref.toString(), 200, "index entry " + chosen.digestText()
                    + " is itself an index");
        }
        return manifest;
    }

    /** Pushes a manifest or index; the reference's tag is used, else the digest. Returns the digest. */
    public Digest pushManifest(ImageReference ref, ManifestDocument document) throws IOException {
        return manifestPusher.push(ref, document);
    }

    /** Streams a blob; reading to EOF verifies size and digest ({@code expectedSize} -1 when unknown). */
    public InputStream pullBlob(ImageReference repo, Digest digest, long expectedSize) throws IOException {
        return blobPuller.open(repo, digest, expectedSize);
    }

    /** A small blob (a config) read into memory and verified; at most {@link #MAX_IN_MEMORY_BLOB_BYTES}. */
    public byte[] pullBlobBytes(ImageReference repo, Descriptor descriptor) throws IOException {
        if (descriptor.size() > MAX_IN_MEMORY_BLOB_BYTES) {
            throw new IllegalArgumentException("blob " + descriptor.digestText() + " of " + descriptor.size()
                    + " bytes is too large to read into memory");
        }
        try (InputStream in = pullBlob(repo, descriptor.digest(), descriptor.size())) {
            byte[] bytes = in.readAllBytes();
            return bytes;
        }
    }

    /**
     * Exactly the bytes of {@code range} of a blob (206). These bytes cannot be checked against the
     * blob digest: the caller verifies them (chunk digests, piece CRCs).
     *
     * @throws RegistryException.RangeNotSatisfiableException when the range lies outside the blob
     */
    public InputStream pullBlobRange(ImageReference repo, Digest digest, ByteRange range) throws IOException {
        return blobPuller.openRange(repo, digest, range);
    }

    /** The blob's size by {@code HEAD}, or empty when the repository does not have it. */
    public Optional<Long> blobSize(ImageReference repo, Digest digest) throws IOException {
        return blobPuller.head(repo, digest);
    }

    /**
     * Uploads a blob from a stream (read once, never held whole in memory): monolithic up to the chunk
     * size, chunked above it. Does not check for existence first; see {@link #blobSize}.
     */
    public void pushBlob(ImageReference repo, Digest digest, long size, InputStream data, LongConsumer progress)
            throws IOException {
        blobPusher.upload(repo, digest, size, data, progress);
    }

    /**
     * Opens an upload session ({@code POST}) for a blob whose bytes are appended as they are produced and whose digest
     * is known only at the end: a builder's output pushed while it is written. Close it to abandon it.
     */
    public BlobUpload startBlobUpload(ImageReference repo) throws IOException {
        return blobPusher.open(repo);
    }

    /** Cross-repository mount; false when the registry could not mount (the caller then uploads). */
    public boolean mountBlob(ImageReference repo, Digest digest, String fromRepository) throws IOException {
        return blobPusher.mount(repo, digest, fromRepository);
    }
}

package dev.damselfly.oci.registry;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.Scope;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blob uploads: {@code POST /v2/NAME/blobs/uploads/} then one {@code PUT ?digest=} (monolithic, for
 * blobs up to the chunk size) or {@code PATCH} chunks with {@code Content-Range} and a closing
 * {@code PUT}; and cross-repository mounts ({@code POST ?mount=DIGEST&from=REPO}).
 */
final class BlobPusher {
    private static final Logger LOG = LoggerFactory.getLogger(BlobPusher.class);

    private final RegistryHttp http;
    private final long chunkBytes;

    BlobPusher(RegistryHttp http, long chunkBytes) {
        this.http = http;
        this.chunkBytes = chunkBytes;
    }

    /**
     * Uploads {@code size} bytes read from {@code data}; the registry checks them against {@code digest}.
     * {@code progress} receives the number of bytes sent in each step.
     */
    void upload(ImageReference repo, Digest digest, long size, InputStream data, LongConsumer progress) throws IOException {
        String subject = repo.registry() + "/" + repo.repository() + "@" + digest;
        URI location = start(repo, subject);
        if (size <= chunkBytes) {
            URI finish = withQuery(location, "digest=" + encode(digest.toString()));
            HttpCall put = HttpCall.of("PUT", finish, repo.registry(), Scope.push(repo.repository()), subject)
                    .header("Content-Type", "application/octet-stream")
                    .body(size == 0 ? RequestBody.ofBytes(new byte[0]) : RequestBody.ofStream(new CountingStream(data, progress), size));
            complete(put, digest);
            return;
        }
        long offset = 0;
        while (offset < size) {
            long length = Math.min(chunkBytes, size - offset);
            InputStream chunk = new CountingStream(new ChunkStream(data, length), progress);
            location = patch(repo, subject, location, offset, chunk, length);
            offset += length;
        }
        finish(repo, subject, location, digest);
    }

    /** Opens an upload session whose bytes and digest come later ({@link BlobUpload}). */
    BlobUpload open(ImageReference repo) throws IOException {
        String subject = repo.registry() + "/" + repo.repository() + " (blob upload)";
        return new BlobUpload(this, repo, subject, start(repo, subject));
    }

    /**
     * Sends bytes {@code [offset, offset + length)} of an upload as one {@code PATCH} with {@code Content-Range} and
     * returns the session's next location; the registry must acknowledge every byte so far.
     */
    URI patch(ImageReference repo, String subject, URI location, long offset, InputStream chunk, long length)
            throws IOException {
        HttpCall patch = HttpCall.of("PATCH", location, repo.registry(), Scope.push(repo.repository()), subject)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", offset + "-" + (offset + length - 1))
                .body(RequestBody.ofStream(chunk, length));
        try (RegistryResponse response = http.send(patch)) {
            ResponseErrors.require(response, subject + " chunk at " + offset, 202);
            String range = response.header("Range").orElse(null);
            String expected = "0-" + (offset + length - 1);
            if (range != null && !range.equals(expected) && !range.equals("bytes=" + expected)) {
                throw new RegistryException.UnexpectedResponseException(subject, 202,
                        "registry acknowledged Range " + range + " after chunk " + offset + "-" + (offset + length - 1));
            }
            return nextLocation(response, location, subject);
        }
    }

    /** Closes an upload with {@code PUT ?digest=} (no body); the registry checks every byte sent against it. */
    void finish(ImageReference repo, String subject, URI location, Digest digest) throws IOException {
        URI finish = withQuery(location, "digest=" + encode(digest.toString()));
        complete(HttpCall.of("PUT", finish, repo.registry(), Scope.push(repo.repository()), subject), digest);
    }

    /** Mounts {@code digest} from {@code fromRepository}; false when the registry opened an upload instead. */
    boolean mount(ImageReference repo, Digest digest, String fromRepository) throws IOException {
        String subject = repo.registry() + "/" + repo.repository() + "@" + digest;
        URI uri = http.baseUri(repo.apiHost()).resolve("/v2/" + repo.repository() + "/blobs/uploads/?mount="
                + encode(digest.toString()) + "&from=" + encode(fromRepository));
        Scope scope = Scope.push(repo.repository()).plus("repository:" + fromRepository + ":pull");
        HttpCall post = HttpCall.of("POST", uri, repo.registry(), scope, subject);
        try (RegistryResponse response = http.send(post)) {
            ResponseErrors.require(response, subject, 201, 202);
            if (response.status() == 201) {
                LOG.debug("mounted {} from {}", subject, fromRepository);
                return true;
            }
            URI opened = nextLocation(response, uri, subject);
            cancel(repo, opened, subject);
            return false;
        }
    }

    private URI start(ImageReference repo, String subject) throws IOException {
        URI uri = http.baseUri(repo.apiHost()).resolve("/v2/" + repo.repository() + "/blobs/uploads/");
        HttpCall post = HttpCall.of("POST", uri, repo.registry(), Scope.push(repo.repository()), subject);
        try (RegistryResponse response = http.send(post)) {
            ResponseErrors.require(response, subject, 202);
            return nextLocation(response, uri, subject);
        }
    }

    private void complete(HttpCall put, Digest digest) throws IOException {
        try (RegistryResponse response = http.send(put)) {
            ResponseErrors.require(response, put.subject(), 201);
            String stored = response.header("Docker-Content-Digest").orElse(null);
            if (stored != null && !stored.equals(digest.toString())) {
                throw new RegistryException.UnexpectedResponseException(put.subject(), 201,
                        "registry stored " + stored + " instead of " + digest);
            }
        }
    }

    /** Abandons an upload session ({@code DELETE}); failures are logged, not thrown (the registry expires it). */
    void cancel(ImageReference repo, URI upload, String subject) {
        HttpCall delete = HttpCall.of("DELETE", upload, repo.registry(), Scope.push(repo.repository()), subject);
        try (RegistryResponse ignored = http.send(delete)) {
            LOG.debug("cancelled upload session of {}", subject);
        } catch (IOException e) {
            LOG.debug("could not cancel upload session of {}: {}", subject, e.getMessage());
        }
    }

    private static URI nextLocation(RegistryResponse response, URI base, String subject) throws IOException {
        String location = response.header("Location").orElseThrow(() ->
                new RegistryException.UnexpectedResponseException(subject, response.status(), "upload response without Location"));
        return base.resolve(location);
    }

    private static URI withQuery(URI uri, String parameter) {
        String text = uri.toString();
        return URI.create(text + (uri.getRawQuery() == null ? "?" : "&") + parameter);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** The next {@code length} bytes of a shared stream; closing it leaves the shared stream open. */
    private static final class ChunkStream extends FilterInputStream {
        private long remaining;

        ChunkStream(InputStream in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() {
            // The underlying stream carries the following chunks.
        }
    }

    /** Reports bytes as they are read, to drive a progress display. */
    private static final class CountingStream extends FilterInputStream {
        private final LongConsumer progress;

        CountingStream(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                progress.accept(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                progress.accept(n);
            }
            return n;
        }
    }
}

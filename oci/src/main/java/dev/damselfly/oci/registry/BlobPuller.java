package dev.damselfly.oci.registry;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.VerifyingInputStream;
import dev.damselfly.oci.auth.Scope;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code GET}/{@code HEAD} of {@code /v2/NAME/blobs/DIGEST}: whole verified blobs and byte ranges. */
final class BlobPuller {
    private static final Logger LOG = LoggerFactory.getLogger(BlobPuller.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    private final RegistryHttp http;
    private final RegistryClientConfig config;
    private final Set<String> registriesIgnoringRange = ConcurrentHashMap.newKeySet();

    BlobPuller(RegistryHttp http, RegistryClientConfig config) {
        this.http = http;
        this.config = config;
    }

    /**
     * The whole blob, verified: reading to EOF throws {@code DigestMismatchException} on bad content. A
     * body that breaks mid-way is resumed from the byte reached (up to the configured retries).
     */
    InputStream open(ImageReference repo, Digest digest, long expectedSize) throws IOException {
        HttpCall call = call("GET", repo, digest);
        RegistryResponse response = http.send(call);
        ResponseErrors.require(response, call.subject(), 200);
        long declared = response.contentLength();
        if (expectedSize >= 0 && declared >= 0 && declared != expectedSize) {
            response.close();
            throw new RegistryException.UnexpectedResponseException(call.subject(), 200,
                    "Content-Length " + declared + " but the descriptor says " + expectedSize);
        }
        long total = expectedSize >= 0 ? expectedSize : declared;
        InputStream body = new ResumingInputStream(response.body(),
                offset -> total >= 0 && offset >= total ? InputStream.nullInputStream() : openRange(repo, digest, ByteRange.from(offset)),
                call.subject(), config.maxRetries(), config.initialBackoff().toMillis(), config.maxBackoff().toMillis());
        return new VerifyingInputStream(body, digest, expectedSize, RegistryHttp.redact(response.uri()));
    }

    /**
     * Exactly the bytes of {@code range}. A registry that answers 200 to a Range request is handled by
     * skipping to the range in the full body (and remembered, to be logged once).
     */
    InputStream openRange(ImageReference repo, Digest digest, ByteRange range) throws IOException {
        HttpCall call = call("GET", repo, digest).header("Range", range.header());
        RegistryResponse response = http.send(call);
        String subject = call.subject() + " " + range;
        if (response.status() == 416) {
            String contentRange = response.header("Content-Range").orElse(null);
            response.close();
            throw new RegistryException.RangeNotSatisfiableException(call.subject(), range.header(), contentRange);
        }
        ResponseErrors.require(response, subject, 206, 200);
        if (response.status() == 206) {
            return partial(response, range, subject);
        }
        return sliceOfFull(response, range, subject, repo.registry());
    }

    private InputStream partial(RegistryResponse response, ByteRange range, String subject) throws IOException {
        String header = response.header("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(header);
        if (!m.matches()) {
            response.close();
            throw new RegistryException.UnexpectedResponseException(subject, 206, "bad Content-Range '" + header + "'");
        }
        long start = Long.parseLong(m.group(1));
        long end = Long.parseLong(m.group(2));
        long expectedLength;
        if (range.isSuffix()) {
            long total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            expectedLength = Math.min(range.length(), total < 0 ? range.length() : total);
        } else {
            if (start != range.offset()) {
                response.close();
                throw new RegistryException.UnexpectedResponseException(subject, 206,
                        "asked for " + range + " but got Content-Range " + header);
            }
            expectedLength = range.length() < 0 ? end - start + 1 : Math.min(range.length(), end - start + 1);
        }
        if (end - start + 1 != expectedLength) {
            response.close();
            throw new RegistryException.UnexpectedResponseException(subject, 206, "asked for " + range + " but got " + header);
        }
        return new ExactLengthInputStream(response.body(), expectedLength, subject);
    }

    private InputStream sliceOfFull(RegistryResponse response, ByteRange range, String subject, String registry)
            throws IOException {
        if (registriesIgnoringRange.add(registry)) {
            LOG.warn("registry {} answered 200 to a Range request; reading ranges by skipping through whole blobs", registry);
        }
        long total = response.contentLength();
        long skip;
        long length;
        if (range.isSuffix()) {
            if (total < 0) {
                response.close();
                throw new RegistryException.UnexpectedResponseException(subject, 200,
                        "suffix range on a response without Content-Length");
            }
            length = Math.min(range.length(), total);
            skip = total - length;
        } else {
            skip = range.offset();
            if (total >= 0 && skip >= total) {
                response.close();
                throw new RegistryException.RangeNotSatisfiableException(subject, range.header(), "bytes */" + total);
            }
            length = range.length() < 0 ? (total < 0 ? Long.MAX_VALUE : total - skip)
                    : (total < 0 ? range.length() : Math.min(range.length(), total - skip));
        }
        InputStream body = response.body();
        long skipped = body.skip(skip);
        while (skipped < skip) {
            if (body.read() < 0) {
                response.close();
                throw new RegistryException.RangeNotSatisfiableException(subject, range.header(), null);
            }
            skipped++;
            skipped += body.skip(skip - skipped);
        }
        return length == Long.MAX_VALUE ? body : new ExactLengthInputStream(body, length, subject);
    }

    /** Blob size from {@code HEAD}, or empty if the registry does not have it. */
    Optional<Long> head(ImageReference repo, Digest digest) throws IOException {
        HttpCall call = call("HEAD", repo, digest);
        try (RegistryResponse response = http.send(call)) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            ResponseErrors.require(response, call.subject(), 200);
            return Optional.of(response.contentLength());
        }
    }

    private HttpCall call(String method, ImageReference repo, Digest digest) {
        URI uri = http.baseUri(repo.apiHost()).resolve("/v2/" + repo.repository() + "/blobs/" + digest);
        return HttpCall.of(method, uri, repo.registry(), Scope.pull(repo.repository()),
                repo.registry() + "/" + repo.repository() + "@" + digest);
    }
}

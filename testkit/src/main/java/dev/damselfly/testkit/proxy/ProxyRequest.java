package dev.damselfly.testkit.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request as the proxy received it, for rule predicates and assertions.
 *
 * @param sequence 0-based arrival number at the proxy
 * @param method   HTTP method
 * @param path     raw path, e.g. {@code /v2/foo/blobs/sha256:...}
 * @param query    raw query without {@code ?}, empty when none
 * @param headers  request headers, names in lower case, values in order
 */
public record ProxyRequest(long sequence, String method, String path, String query, Map<String, List<String>> headers) {

    private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+)$");
    private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
    private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads/.*$");

    // Copies the header map defensively.
    public ProxyRequest {
        headers = Map.copyOf(headers);
    }

    /**
     * @param name header name, any case
     * @return the first value, or {@code null}
     */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** @return true when an Authorization header was sent */
    public boolean hasAuthorization() {
        return header("authorization") != null;
    }

    /** @return true for {@code /v2/NAME/blobs/DIGEST} (not uploads) */
    public boolean isBlob() {
        return BLOB.matcher(path).matches() && !UPLOAD.matcher(path).matches();
    }

    /** @return true for {@code /v2/NAME/manifests/REFERENCE} */
    public boolean isManifest() {
        return MANIFEST.matcher(path).matches();
    }

    /** @return true for {@code /v2/NAME/blobs/uploads/...} */
    public boolean isUpload() {
        return UPLOAD.matcher(path).matches();
    }

    /** @return the digest of a blob path */
    public Optional<String> blobDigest() {
        Matcher m = BLOB.matcher(path);
        return isBlob() && m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** @return every request */
    public static Predicate<ProxyRequest> any() {
        return r -> true;
    }

    /**
     * @param method e.g. {@code PATCH}
     * @return requests with that method
     */
    public static Predicate<ProxyRequest> method(String method) {
        return r -> r.method().equalsIgnoreCase(method);
    }

    /** @return GET requests for blobs */
    public static Predicate<ProxyRequest> blobGets() {
        return r -> r.method().equals("GET") && r.isBlob();
    }

    /** @return GET or HEAD requests for blobs */
    public static Predicate<ProxyRequest> blobReads() {
        return r -> (r.method().equals("GET") || r.method().equals("HEAD")) && r.isBlob();
    }

    /** @return GET or HEAD requests for manifests */
    public static Predicate<ProxyRequest> manifestReads() {
        return r -> (r.method().equals("GET") || r.method().equals("HEAD")) && r.isManifest();
    }

    /** @return requests to the upload endpoints (POST, PATCH, PUT, GET status, DELETE cancel) */
    public static Predicate<ProxyRequest> uploads() {
        return ProxyRequest::isUpload;
    }

    /**
     * @param regex a Java regex matched against the whole path
     * @return requests whose path matches
     */
    public static Predicate<ProxyRequest> pathMatches(String regex) {
        Pattern p = Pattern.compile(regex);
        return r -> p.matcher(r.path()).matches();
    }

    /** @return requests that carry a Range header */
    public static Predicate<ProxyRequest> withRange() {
        return r -> r.header("range") != null;
    }
}

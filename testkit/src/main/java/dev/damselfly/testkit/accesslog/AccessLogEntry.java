package dev.damselfly.testkit.accesslog;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request as the registry logged it.
 *
 * @param sequence   0-based position among the visible entries of its {@link AccessLog}
 * @param remoteHost client address without port, e.g. {@code 127.0.0.1}
 * @param user       user from a URL userinfo, {@code "-"} when absent (Distribution never fills it
 *                   from an Authorization header)
 * @param time       request start, second precision
 * @param method     HTTP method, e.g. {@code GET}
 * @param path       request path as sent (percent-encoding kept), e.g. {@code /v2/lib/x/blobs/sha256:...}
 * @param query      raw query without {@code ?}, empty when none
 * @param protocol   e.g. {@code HTTP/1.1}
 * @param status     HTTP status code
 * @param bytes      response body bytes written by the handler (for HEAD: what it would have sent)
 * @param referer    Referer header, empty when absent
 * @param userAgent  User-Agent header, empty when absent
 * @param rawLine    the unparsed log line
 */
public record AccessLogEntry(
        long sequence,
        String remoteHost,
        String user,
        Instant time,
        String method,
        String path,
        String query,
        String protocol,
        int status,
        long bytes,
        String referer,
        String userAgent,
        String rawLine) {

    private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([A-Za-z0-9_+.-]+:[A-Za-z0-9=_-]+)$");
    private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
    private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads/.*$");

    /** @return true for {@code /v2/NAME/blobs/DIGEST} (not uploads) */
    public boolean isBlob() {
        return BLOB.matcher(path).matches();
    }

    /** @return true for a GET of {@code /v2/NAME/blobs/DIGEST} */
    public boolean isBlobGet() {
        return "GET".equals(method) && isBlob();
    }

    /** @return true for {@code /v2/NAME/manifests/REFERENCE} */
    public boolean isManifest() {
        return MANIFEST.matcher(path).matches();
    }

    /** @return true for {@code /v2/NAME/blobs/uploads/...} */
    public boolean isBlobUpload() {
        return UPLOAD.matcher(path).matches();
    }

    /** @return true when the status is 2xx */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** @return the repository name of a blob, upload or manifest path */
    public Optional<String> repository() {
        for (Pattern p : new Pattern[] {UPLOAD, BLOB, MANIFEST}) {
            Matcher m = p.matcher(path);
            if (m.matches()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    /** @return the digest of a blob path, or the tag/digest of a manifest path */
    public Optional<String> reference() {
        for (Pattern p : new Pattern[] {BLOB, MANIFEST}) {
            Matcher m = p.matcher(path);
            if (m.matches() && !UPLOAD.matcher(path).matches()) {
                return Optional.of(m.group(2));
            }
        }
        return Optional.empty();
    }
}

package dev.damselfly.proxy.p2p;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.registry.ByteRange;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One blob GET the proxy sends to its {@link BlobFetcher}. Its {@link #toString()} is safe to log: the
 * query is elided and header values are left out.
 *
 * @param url           the origin URL of the blob: scheme, host, port, path and query exactly as the proxy would
 *                      request it upstream ({@code https://registry-1.docker.io/v2/library/busybox/blobs/sha256:...?ns=docker.io});
 *                      never user info. The task id is computed from this URL (spec §3.1), with
 *                      {@link DragonflyHeaders#filteredQueryParams()} removed
 * @param registry      the configured registry's name ({@code docker.io}, {@code 127.0.0.1:5000})
 * @param repository    the repository in the path ({@code library/busybox})
 * @param digest        the blob's digest from the path; the bytes served must hash to it
 * @param range         the client's single {@code Range} as sent (offset-length, open-ended or suffix), or empty for
 *                      the whole blob. Informational (prefetch, origin-first for small ranges): the proxy resolves
 *                      it against {@link BlobFetch#blobLength()} and asks {@link BlobFetch#openStream} for the bytes
 * @param originHeaders the client's request headers to send to the origin on every back-to-source request
 *                      ({@code Authorization} included; hop-by-hop headers, {@code Host}, {@code Range},
 *                      {@code Content-Length} and every {@code X-Dragonfly-*} header removed), names as sent,
 *                      values in order
 * @param dragonfly     the parsed Dragonfly request headers
 */
public record BlobRequest(
        URI url,
        String registry,
        String repository,
        Digest digest,
        Optional<ByteRange> range,
        Map<String, List<String>> originHeaders,
        DragonflyHeaders dragonfly) {

    public BlobRequest {
        if (url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("blob URL must not carry user info");
        }
        LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
        originHeaders.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        originHeaders = Collections.unmodifiableMap(copy);
    }

    /** The first value of an origin header, looked up case-insensitively. */
    public Optional<String> originHeader(String name) {
        return originHeaders.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    /** Names and shapes only: no query values, no header values (an Authorization header is a secret). */
    @Override
    public String toString() {
        String shownUrl = url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath() + (url.getRawQuery() == null ? "" : "?…");
        return "BlobRequest[url=" + shownUrl + ", registry=" + registry + ", repository=" + repository + ", digest=" + digest
                + ", range=" + range.map(ByteRange::header).orElse("none") + ", originHeaders="
                + originHeaders.keySet().stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.joining(",", "[", "]"))
                + ", dragonfly=" + dragonfly + "]";
    }
}

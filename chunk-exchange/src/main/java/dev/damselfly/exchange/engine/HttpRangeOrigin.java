package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.Origin;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;

/**
 * A plain http/https URL as a task's origin ({@code damselfly get URL}): the length by a {@code GET} with
 * {@code Range: bytes=0-0} (spec §3.8: not HEAD, signed URLs are method-specific; a 416 falls back to a plain
 * GET), bytes by one {@code Range} GET per piece. Redirects are followed (at most {@link #MAX_REDIRECTS}),
 * dropping {@code Authorization} and {@code Cookie} when they lead to another host. A server that ignores
 * Range (200) is still read correctly, by skipping. The HTTP client is shared and not closed here (e.g. one
 * made by {@code RegistryHttpClients.create}, which does not follow redirects itself). Thread-safe.
 */
public final class HttpRangeOrigin implements Origin {
    /** Redirects followed for one request: 5. */
    public static final int MAX_REDIRECTS = 5;
    private static final Set<String> CROSS_HOST_DROPPED = Set.of("authorization", "cookie", "proxy-authorization");

    private final CloseableHttpClient http;
    private final URI url;
    private final Map<String, String> headers;
    private volatile long knownLength = -1;

    /**
     * @param http the node's HTTP client (redirects are handled here)
     * @param url an absolute http or https URL
     * @param headers request headers sent with every request (e.g. Authorization); Range is set here
     */
    public HttpRangeOrigin(CloseableHttpClient http, URI url, Map<String, String> headers) {
        this.http = Objects.requireNonNull(http, "http");
        this.url = Objects.requireNonNull(url, "url");
        this.headers = Map.copyOf(headers);
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URL: " + describe());
        }
    }

    /** scheme://host[:port]/path, without user info and query (signed URLs carry secrets there). */
    @Override
    public String describe() {
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }

    @Override
    public long contentLength() throws IOException {
        long l = knownLength;
        if (l >= 0) {
            return l;
        }
        Exchange e = exchange("bytes=0-0");
        try {
            int status = e.response.getCode();
            if (status == 206) {
                l = totalFromContentRange(header(e.response, "Content-Range"));
            } else if (status == 200) {
                l = contentLengthOf(e.response);
            } else if (status == 416) {
                Exchange plain = exchange(null);
                try {
                    if (plain.response.getCode() != 200) {
                        throw new OriginResponseException(describe(), plain.response.getCode(), "length lookup");
                    }
                    l = contentLengthOf(plain.response);
                } finally {
                    plain.abort();
                }
            } else {
                throw new OriginResponseException(describe(), status, "length lookup");
            }
        } finally {
            e.abort();
        }
        knownLength = l;
        return l;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad range " + offset + "+" + length + " of " + describe());
        }
        Exchange e = exchange("bytes=" + offset + "-" + (offset + length - 1));
        ClassicHttpResponse r = e.response;
        try {
            HttpEntity entity = r.getEntity();
            if (r.getCode() == 206 && entity != null) {
                String cr = header(r, "Content-Range");
                if (cr == null || !cr.trim().toLowerCase(Locale.ROOT).startsWith("bytes " + offset + "-")) {
                    throw new IOException("origin " + describe() + " answered range " + offset + "+" + length
                            + " with Content-Range " + cr);
                }
                return new ExactStream(entity.getContent(), length, e, true);
            }
            if (r.getCode() == 200 && entity != null) {
                InputStream in = entity.getContent();
                in.skipNBytes(offset);
                return new ExactStream(in, length, e, false);
            }
            throw new OriginResponseException(describe(), r.getCode(), "range " + offset + "+" + length);
        } catch (IOException | RuntimeException ex) {
            e.abort();
            throw ex;
        }
    }

    /** A request and its open response. */
    private record Exchange(HttpGet request, ClassicHttpResponse response) {
        /** Closes the response without reading the rest of the body (the connection is dropped if unread). */
        void abort() {
            request.cancel();
            try {
                response.close();
            } catch (IOException e) {
                // the connection was just cut on purpose: nothing left to release
            }
        }
    }

    private Exchange exchange(String range) throws IOException {
        URI target = url;
        for (int hop = 0; ; hop++) {
            HttpGet get = new HttpGet(target);
            boolean sameHost = sameOrigin(url, target);
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase("range")
                        || !sameHost && CROSS_HOST_DROPPED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    continue;
                }
                get.addHeader(h.getKey(), h.getValue());
            }
            if (range != null) {
                get.setHeader("Range", range);
            }
            ClassicHttpResponse r = http.executeOpen(null, get, null);
            int status = r.getCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return new Exchange(get, r);
            }
            String location = header(r, "Location");
            get.cancel();
            r.close();
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new OriginResponseException(describe(), status,
                        location == null ? "redirect without Location" : "more than " + MAX_REDIRECTS + " redirects");
            }
            target = target.resolve(location);
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    private static String header(ClassicHttpResponse r, String name) {
        Header h = r.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    private long contentLengthOf(ClassicHttpResponse r) throws IOException {
        String v = header(r, "Content-Length");
        if (v == null) {
            throw new IOException("origin " + describe() + " sent no content length");
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IOException("origin " + describe() + " sent a bad Content-Length '" + v + "'", e);
        }
    }

    private long totalFromContentRange(String v) throws IOException {
        int slash = v == null ? -1 : v.lastIndexOf('/');
        if (slash < 0 || v.substring(slash + 1).trim().equals("*")) {
            throw new IOException("origin " + describe() + " sent no total length in Content-Range '" + v + "'");
        }
        try {
            return Long.parseLong(v.substring(slash + 1).trim());
        } catch (NumberFormatException e) {
            throw new IOException("origin " + describe() + " sent a bad Content-Range '" + v + "'", e);
        }
    }

    /** Exactly {@code length} bytes of a response body; closing it closes the response. */
    private final class ExactStream extends FilterInputStream {
        private final Exchange exchange;
        private final boolean wholeBody;
        private long left;

        /** @param wholeBody whether the body ends with these bytes (206), so the connection can be kept */
        ExactStream(InputStream in, long length, Exchange exchange, boolean wholeBody) {
            super(in);
            this.left = length;
            this.exchange = exchange;
            this.wholeBody = wholeBody;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = super.read();
            if (b < 0) {
                throw new EOFException("origin " + describe() + " ended " + left + " bytes early");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("origin " + describe() + " ended " + left + " bytes early");
            }
            left -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (left > 0 || !wholeBody) {
                exchange.abort();
            } else {
                exchange.response.close();
            }
        }
    }
}

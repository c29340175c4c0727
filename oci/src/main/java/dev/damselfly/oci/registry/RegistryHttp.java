package dev.damselfly.oci.registry;

import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.RegistryAuthenticator;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link HttpCall}s: adds {@code Authorization}, answers one 401 challenge per call, retries
 * 5xx and connection failures with exponential backoff (never 4xx, never a body that cannot be
 * resent), and follows redirects of GET/HEAD by hand. A redirect to another origin (scheme, host,
 * port) is followed without {@code Authorization}: pre-signed blob-storage URLs must not see the
 * registry's token.
 */
final class RegistryHttp {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryHttp.class);

    private final CloseableHttpClient http;
    private final RegistryClientConfig config;
    private final RegistryAuthenticator authenticator;
    private final Set<String> plainHttpFallbacks = ConcurrentHashMap.newKeySet();

    RegistryHttp(CloseableHttpClient http, RegistryClientConfig config, RegistryAuthenticator authenticator) {
        this.http = http;
        this.config = config;
        this.authenticator = authenticator;
    }

    /**
     * The base URL of a registry's API, {@code http(s)://host[:port]}: plain HTTP when configured, or when
     * a loopback registry has been found not to speak TLS; HTTPS otherwise.
     */
    URI baseUri(String apiHost) {
        boolean plain = config.usesPlainHttp(apiHost) || plainHttpFallbacks.contains(apiHost);
        return URI.create((plain ? "http://" : "https://") + apiHost);
    }

    /**
     * Sends the call and returns the first response that is not a redirect, an answered challenge or a
     * retried failure. The caller checks the status and closes the response.
     */
    RegistryResponse send(HttpCall call) throws IOException {
        URI target = call.uri();
        String method = call.method();
        boolean sameOrigin = true;
        boolean challengeAnswered = false;
        int redirects = 0;
        int attempt = 0;
        while (true) {
            RegistryResponse wrapped;
            try {
                ClassicHttpResponse response = http.executeOpen(null, build(call, method, target, sameOrigin), null);
                wrapped = new RegistryResponse(response, target);
            } catch (IOException e) {
                DigestMismatchException mismatch = findMismatch(e);
                if (mismatch != null) {
                    throw mismatch;
                }
                if (redirects == 0 && "https".equals(target.getScheme()) && isNotTls(e)
                        && config.mayFallBackToPlainHttp(target.getRawAuthority())) {
                    plainHttpFallbacks.add(target.getRawAuthority());
                    LOG.info("registry {} does not speak TLS ({}); using plain HTTP", target.getRawAuthority(), e.getMessage());
                    target = URI.create("http" + target.toString().substring("https".length()));
                    continue;
                }
                if (call.retryable() && attempt < config.maxRetries()) {
                    backoff(call, ++attempt, "connection failed: " + e);
                    continue;
                }
                throw new RegistryException.ServerException(call.subject(), 0,
                        method + " " + redact(target) + " failed after " + (attempt + 1) + " attempt(s): " + e, e);
            }
            int status = wrapped.status();
            if (status == 401 && sameOrigin && !challengeAnswered) {
                String challenge = wrapped.header("WWW-Authenticate").orElse(null);
                wrapped.close();
                challengeAnswered = true;
                if (call.retryable() && authenticator.onUnauthorized(call.registry(), call.scope(), challenge)) {
                    continue;
                }
                throw new RegistryException.UnauthorizedException(call.subject(),
                        challenge == null ? "authentication required (no challenge)" : "authentication required: no usable credentials");
            }
            if (isRedirect(status) && (method.equals("GET") || method.equals("HEAD"))) {
                Optional<String> location = wrapped.header("Location");
                wrapped.close();
                if (location.isEmpty()) {
                    throw new RegistryException.UnexpectedResponseException(call.subject(), status, "redirect without Location");
                }
                if (++redirects > config.maxRedirects()) {
                    throw new RegistryException.UnexpectedResponseException(call.subject(), status,
                            "more than " + config.maxRedirects() + " redirects");
                }
                URI next = target.resolve(location.get());
                sameOrigin = sameOrigin && sameOrigin(call.uri(), next);
                LOG.debug("{} redirected to {} (authorization {})", call.subject(), redact(next), sameOrigin ? "kept" : "dropped");
                target = next;
                continue;
            }
            if (status >= 500 && call.retryable() && attempt < config.maxRetries()) {
                wrapped.close();
                backoff(call, ++attempt, "HTTP " + status);
                continue;
            }
            return wrapped;
        }
    }

    private HttpUriRequestBase build(HttpCall call, String method, URI target, boolean withAuth) throws IOException {
        HttpUriRequestBase request = new HttpUriRequestBase(method, target);
        call.headers().forEach(request::setHeader);
        if (withAuth) {
            authenticator.authorization(call.registry(), call.scope()).ifPresent(value -> request.setHeader("Authorization", value));
        }
        if (call.body() != null) {
            request.setEntity(call.body().entity());
        }
        return request;
    }

    private void backoff(HttpCall call, int attempt, String reason) throws RegistryException {
        long base = config.initialBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, config.maxBackoff().toMillis());
        long jittered = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        LOG.warn("{} {}: {}; retry {}/{} in {} ms", call.method(), call.subject(), reason, attempt, config.maxRetries(), jittered);
        try {
            Thread.sleep(jittered);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException.ServerException(call.subject(), 0, "interrupted during retry backoff", e);
        }
    }

    /**
     * True when the peer answered a TLS ClientHello with something that is not TLS (a plain HTTP
     * server). A handshake or certificate failure is not that: it never downgrades to plain HTTP.
     */
    private static boolean isNotTls(Throwable error) {
        boolean tls = false;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
                return false;
            }
            tls |= t instanceof SSLException;
        }
        return tls;
    }

    /** A body that failed verification while being sent surfaces as itself, not as a network error. */
    private static DigestMismatchException findMismatch(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DigestMismatchException mismatch) {
                return mismatch;
            }
        }
        return null;
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    /** A URL without its query: pre-signed URLs carry credentials in the query string. */
    static String redact(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?…");
    }
}

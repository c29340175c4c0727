package dev.damselfly.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.image.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Minimal raw HTTP calls against a registry, for the test kit's own tests. */
public final class TestHttp {

    public static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestHttp() {
    }

    /** Sends a request; {@code headers} are name/value pairs; a null authorization is skipped. */
    public static HttpResponse<byte[]> send(String method, URI uri, byte[] body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            if (headers[i + 1] != null) {
                b.header(headers[i], headers[i + 1]);
            }
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static HttpResponse<byte[]> get(URI uri, String... headers) {
        return send("GET", uri, null, headers);
    }

    /** Monolithic blob upload (POST then PUT ?digest=); returns the digest. */
    public static String pushBlob(URI base, String repository, byte[] data, String authorization) {
        String digest = Digests.sha256(data);
        HttpResponse<byte[]> start = send("POST", base.resolve("/v2/" + repository + "/blobs/uploads/"), null,
                "Authorization", authorization);
        if (start.statusCode() != 202) {
            throw new AssertionError("upload start answered " + start.statusCode() + ": " + text(start));
        }
        String location = start.headers().firstValue("Location").orElseThrow();
        URI upload = base.resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        HttpResponse<byte[]> put = send("PUT", URI.create(upload + sep + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8)),
                data, "Authorization", authorization, "Content-Type", "application/octet-stream");
        if (put.statusCode() != 201) {
            throw new AssertionError("upload PUT answered " + put.statusCode() + ": " + text(put));
        }
        return digest;
    }

    /** Fetches a token from a Docker token endpoint with optional Basic credentials. */
    public static String token(URI realm, String service, String basicUserPassword, String... scopes) {
        StringBuilder q = new StringBuilder("?service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        for (String s : scopes) {
            q.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        String auth = basicUserPassword == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicUserPassword.getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = get(URI.create(realm + q.toString()), "Authorization", auth);
        if (r.statusCode() != 200) {
            throw new AssertionError("token endpoint answered " + r.statusCode() + ": " + text(r));
        }
        return json(r).get("token").asText();
    }

    public static JsonNode json(HttpResponse<byte[]> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode jwtClaims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode jwtHeader(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    public static String bearer(String token) {
        return "Bearer " + token;
    }
}

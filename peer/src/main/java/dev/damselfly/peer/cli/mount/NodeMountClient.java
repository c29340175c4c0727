package dev.damselfly.peer.cli.mount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI side of the node's mount API ({@code /api/v1/mounts} on its admin address): asks the node to mount or
 * unmount, and reads its JSON answer. The request body may hold credentials: it is never logged or printed.
 */
final class NodeMountClient {
    /** How long connecting to the node may take: 2 s (it is on this machine). */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long a mount may take on the node (bootstrap download included): 10 min. */
    static final Duration MOUNT_TIMEOUT = Duration.ofMinutes(10);
    /** How long an unmount may take on the node: 60 s. */
    static final Duration UNMOUNT_TIMEOUT = Duration.ofSeconds(60);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;

    /** @param node the node's admin address {@code host:port} */
    NodeMountClient(String node) {
        this.node = node;
    }

    /** The node's answer: its status code and JSON body (an empty object when it sent none). */
    record Answer(int status, JsonNode body) {
        /** The node's {@code error} text, or the status line when there is none. */
        String reason() {
            JsonNode error = body.get("error");
            return error != null ? error.asText() : "HTTP " + status;
        }

        String field(String name) {
            JsonNode value = body.get(name);
            return value == null ? "" : value.asText();
        }
    }

    /** {@code POST /api/v1/mounts} with {@code body}; returns once the node answers (201 = the mount is live). */
    Answer mount(Map<String, Object> body) throws IOException {
        try {
            return send("POST", "/api/v1/mounts", JSON.writeValueAsBytes(body), MOUNT_TIMEOUT);
        } catch (ConnectException e) {
            throw new IOException("no node answers at " + node + " (start `damselfly node`, pass its admin address with "
                    + "--node, or mount without --via-node)", e);
        }
    }

    /**
     * {@code DELETE /api/v1/mounts?mountpoint=…}; empty when no node answers at the address (nothing listens, so it
     * cannot own the mount).
     */
    Optional<Answer> unmount(String mountpoint) throws IOException {
        try {
            return Optional.of(send("DELETE", "/api/v1/mounts?mountpoint=" + URLEncoder.encode(mountpoint, StandardCharsets.UTF_8),
                    null, UNMOUNT_TIMEOUT));
        } catch (ConnectException e) {
            return Optional.empty();
        }
    }

    /**
     * One plain-HTTP exchange with the node. {@link HttpURLConnection} rather than {@link java.net.http.HttpClient}:
     * the latter sets up the JDK's default TLS context when it is built, about a tenth of a second of a short
     * client's start, for a node that is only ever spoken to over plain HTTP on this machine.
     */
    private Answer send(String method, String pathAndQuery, byte[] body, Duration timeout) throws IOException {
        URL url = uri(pathAndQuery).toURL();
        HttpURLConnection connection = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
        byte[] answer;
        int status;
        try {
            connection.setRequestMethod(method);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) timeout.toMillis());
            connection.setUseCaches(false);
            if (body != null) {
                connection.setDoOutput(true);
                connection.setRequestProperty("Content-Type", "application/json");
                connection.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            status = connection.getResponseCode();
            try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                answer = in == null ? new byte[0] : in.readAllBytes();
            }
        } catch (ConnectException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("the node at " + node + " did not answer " + method + " " + url.getPath() + ": "
                    + e.getMessage(), e);
        } finally {
            connection.disconnect();
        }
        JsonNode json;
        try {
            json = answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(answer);
        } catch (IOException e) {
            json = JSON.createObjectNode().put("error", new String(answer, StandardCharsets.UTF_8).strip());
        }
        return new Answer(status, json == null ? JSON.createObjectNode() : json);
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://" + node + pathAndQuery);
    }
}

package dev.damselfly.peer.cli.mount;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

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
    Answer mount(Map<String, Object> body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/mounts")).timeout(MOUNT_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        try {
            return send(request);
        } catch (ConnectException e) {
            throw new IOException("no node answers at " + node + " (start `damselfly node`, pass its admin address with "
                    + "--node, or mount without --via-node)", e);
        }
    }

    /**
     * {@code DELETE /api/v1/mounts?mountpoint=…}; empty when no node answers at the address (nothing listens, so it
     * cannot own the mount).
     */
    Optional<Answer> unmount(String mountpoint) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/api/v1/mounts?mountpoint="
                + URLEncoder.encode(mountpoint, StandardCharsets.UTF_8))).timeout(UNMOUNT_TIMEOUT).DELETE().build();
        try {
            return Optional.of(send(request));
        } catch (ConnectException e) {
            return Optional.empty();
        }
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("the node at " + node + " did not answer " + request.method() + " "
                    + request.uri().getPath() + ": " + e.getMessage(), e);
        }
        JsonNode body;
        try {
            body = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            body = JSON.createObjectNode().put("error", new String(response.body(), StandardCharsets.UTF_8).strip());
        }
        return new Answer(response.statusCode(), body == null ? JSON.createObjectNode() : body);
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://" + node + pathAndQuery);
    }
}

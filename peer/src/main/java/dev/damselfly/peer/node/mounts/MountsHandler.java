package dev.damselfly.peer.node.mounts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/mounts} on the admin listener:
 * <ul>
 *   <li>{@code POST} with a JSON {@link MountRequest} ({@code Content-Type: application/json}) → 201 and the
 *       {@link MountView} once the mount is live; 400 bad request, 409 mount point busy, 415 not JSON, 422 not a
 *       Nydus image, 404/403/502 registry answers, 500 no FUSE;</li>
 *   <li>{@code GET} → 200 and the list of mounts the node owns;</li>
 *   <li>{@code DELETE ?mountpoint=/abs/path} → 200 and the mount's final view once unmounted; 404 when the node owns
 *       no mount there.</li>
 * </ul>
 * Errors are {@code {"error": "…"}}. Request bodies (they may hold credentials) are never logged.
 */
public final class MountsHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MountsHandler.class);
    private static final String PATH = "/api/v1/mounts";
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final NodeMounts mounts;

    public MountsHandler(NodeMounts mounts) {
        this.mounts = mounts;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                throw new MountRequestException(404, "no such endpoint " + exchange.getRequestURI().getPath());
            }
            switch (exchange.getRequestMethod()) {
                case "POST" -> post(exchange);
                case "GET" -> json(exchange, 200, mounts.list());
                case "DELETE" -> delete(exchange);
                default -> {
                    exchange.getResponseHeaders().set("Allow", "GET, POST, DELETE");
                    throw new MountRequestException(405, PATH + " answers GET, POST and DELETE");
                }
            }
        } catch (MountRequestException e) {
            json(exchange, e.status(), Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("mount API request failed method={} error={}", exchange.getRequestMethod(), e.toString(), e);
            json(exchange, 500, Map.of("error", "internal error: " + e));
        }
    }

    private void post(HttpExchange exchange) throws IOException, MountRequestException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new MountRequestException(415, "the body must be JSON sent as Content-Type: application/json");
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MountRequest.MAX_BODY_BYTES + 1);
        }
        if (body.length > MountRequest.MAX_BODY_BYTES) {
            throw new MountRequestException(413, "the body is larger than " + MountRequest.MAX_BODY_BYTES + " bytes");
        }
        MountRequest request = MountRequest.parse(body);
        LOG.info("mount requested mountpoint={} image={}", request.mountpoint(),
                request.image() != null ? request.image() : request.bootstrap());
        json(exchange, 201, mounts.mount(request));
    }

    private void delete(HttpExchange exchange) throws IOException, MountRequestException {
        String mountpoint = query(exchange.getRequestURI().getRawQuery(), "mountpoint");
        if (mountpoint == null || mountpoint.isBlank()) {
            throw new MountRequestException(400, "DELETE " + PATH + " needs ?mountpoint=/absolute/path");
        }
        Path mp = MountRequest.safePath("mountpoint", mountpoint);
        Optional<MountView> ended = mounts.unmount(mp);
        if (ended.isEmpty()) {
            throw new MountRequestException(404, "this node owns no mount at " + mp);
        }
        json(exchange, 200, ended.get());
    }

    private static String query(String raw, String name) {
        if (raw == null) {
            return null;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /**
     * Parses a sample request and writes a sample view once, at node start: Jackson builds its record readers and
     * writers on first use, tens of milliseconds that the first mount request would otherwise wait for.
     */
    static void warmUp() throws IOException, MountRequestException {
        String sample = "{\"image\": \"registry.invalid/warm/up:latest\", \"mountpoint\": \"/warm-up\", "
                + "\"nodeReads\": \"RANGES_WHEN_COLD\", \"plainHttp\": [\"registry.invalid\"]}";
        MountRequest.parse(sample.getBytes(StandardCharsets.UTF_8));
        JSON.writeValueAsString(new MountView("warm-up", "/warm-up", "registry.invalid/warm/up:latest", "mounted",
                Instant.EPOCH.toString(), List.of("registry"), 0, 0, 0, Map.of("registry", 0L), 0, "KERNEL", 0));
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        exchange.close();
    }
}

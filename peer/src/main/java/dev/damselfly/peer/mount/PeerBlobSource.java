package dev.damselfly.peer.mount;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.rafsmount.source.BlobSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Blob bytes from the local Damselfly node (its admin API's {@code /api/v1/blobs}): the node answers from its piece
 * store, else from its peers, else from the registry, fetching only the pieces that cover the range. A mount
 * lists this source before the registry, so chunk reads go local cache → peers → registry; the bytes are still
 * verified by the mount like any other source's.
 */
public final class PeerBlobSource implements BlobSource {
    private final HttpClient http;
    private final String node;
    private final ImageReference repository;
    private final Duration timeout;

    /**
     * @param node the node's admin address {@code host:port} (default 127.0.0.1:4004)
     * @param repository the image's registry and repository
     * @param timeout longest wait for one range (the node may be fetching from peers or the registry)
     */
    public PeerBlobSource(String node, ImageReference repository, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.node = node;
        this.repository = repository;
        this.timeout = timeout;
    }

    /**
     * Whether a node answers at {@code node} (its status endpoint, within {@code wait}). Asked with
     * {@link HttpURLConnection}, which sets up no TLS context for a plain-HTTP URL (an {@link HttpClient} does, when
     * built: about a tenth of a second of a mount's start, even where no node runs).
     */
    public static boolean reachable(String node, Duration wait) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create("http://" + node + "/api/v1/status").toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout((int) Math.max(1, wait.toMillis()));
            connection.setReadTimeout((int) Math.max(1, wait.toMillis()));
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            try (InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
                if (body != null) {
                    body.transferTo(OutputStream.nullOutputStream());
                }
            }
            return status == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    @Override
    public String name() {
        return "node " + node + " for " + repository.registry() + "/" + repository.repository();
    }

    @Override
    public String kind() {
        return "peer";
    }

    @Override
    public byte[] read(String blobId, long offset, int length) throws IOException {
        URI uri = URI.create("http://" + node + "/api/v1/blobs?registry=" + enc(repository.registry())
                + "&repository=" + enc(repository.repository()) + "&digest=" + enc("sha256:" + blobId));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading blob " + blobId + " from " + name(), e);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() == 416) {
                throw new EOFException("range " + offset + "+" + length + " is past the end of blob " + blobId);
            }
            if (response.statusCode() != 206) {
                throw new IOException(name() + " answered " + response.statusCode() + " for blob " + blobId + ": "
                        + new String(in.readNBytes(512), StandardCharsets.UTF_8).trim());
            }
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException(name() + " sent " + bytes.length + " of " + length + " bytes of blob " + blobId);
            }
            return bytes;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

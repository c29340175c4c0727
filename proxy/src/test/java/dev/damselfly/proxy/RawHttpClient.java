package dev.damselfly.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A raw HTTP/1.1 client on a socket, for watching exactly what a response does on the wire (truncation, resets, pacing). */
final class RawHttpClient implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    String statusLine;
    final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    /** @param receiveBuffer the socket's receive buffer in bytes, or 0 for the default */
    RawHttpClient(InetSocketAddress address, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.setSoTimeout(20_000);
        socket.connect(address);
        in = socket.getInputStream();
    }

    void send(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads the status line and headers. */
    void readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        String[] lines = head.toString().split("\r\n");
        statusLine = lines[0];
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
        }
    }

    int status() {
        return Integer.parseInt(statusLine.split(" ")[1]);
    }

    long contentLength() {
        return Long.parseLong(headers.get("content-length"));
    }

    /** Exactly {@code n} body bytes (fails if the stream ends first). */
    byte[] readExactly(int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length != n) {
            throw new IOException("wanted " + n + " bytes, the stream ended after " + bytes.length);
        }
        return bytes;
    }

    /** Everything until end of stream or a reset; {@link Outcome#reset} tells which. */
    Outcome readToEnd() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                body.write(buffer, 0, n);
            }
            return new Outcome(body.toByteArray(), false);
        } catch (IOException e) {
            if (!e.getMessage().toLowerCase(Locale.ROOT).contains("reset")) {
                throw new AssertionError("unexpected read failure", e);
            }
            return new Outcome(body.toByteArray(), true);
        }
    }

    record Outcome(byte[] body, boolean reset) {
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

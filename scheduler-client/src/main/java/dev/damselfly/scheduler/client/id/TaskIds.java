package dev.damselfly.scheduler.client.id;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Standard task ids (spec §3.1): lowercase hex sha256 (64 chars).
 *
 * <p>Selection order: {@code content_for_calculating_task_id} if present; else the blob digest of an
 * OCI blob URL when task-id-based blob digest is enabled; else sha256 over
 * {@code normalizedUrl ‖ tag? ‖ application? ‖ revision? ‖ decimal(pieceLength)? ‖ "STANDARD"}.
 */
public final class TaskIds {
    /** Suffix appended for standard tasks (client ≥ v0.2.28). */
    public static final String STANDARD_SUFFIX = "STANDARD";

    private static final Pattern BLOB_URL = Pattern.compile("^(.*)://(.*)/v2/(.*)/blobs/([^?]+)(?:\\?.*)?$");
    private static final Pattern DIGEST = Pattern.compile("^(sha256|sha512):([0-9a-f]+)$");

    private TaskIds() {
    }

    /** The task id for this input. */
    public static String taskId(TaskIdInput input) {
        if (input.contentForCalculatingTaskId().isPresent()) {
            return sha256Hex(input.contentForCalculatingTaskId().get());
        }
        if (input.taskIdBasedBlobDigest()) {
            Matcher m = BLOB_URL.matcher(input.url());
            if (m.matches()) {
                Matcher d = DIGEST.matcher(m.group(4));
                if (d.matches()) {
                    int expected = d.group(1).equals("sha256") ? 64 : 128;
                    if (d.group(2).length() == expected) {
                        return d.group(2);
                    }
                }
            }
        }
        StringBuilder sb = new StringBuilder(normalizeUrl(input.url(), input.filteredQueryParams()));
        input.tag().ifPresent(sb::append);
        input.application().ifPresent(sb::append);
        input.revision().ifPresent(sb::append);
        if (input.pieceLength().isPresent()) {
            sb.append(input.pieceLength().getAsLong());
        }
        sb.append(STANDARD_SUFFIX);
        return sha256Hex(sb.toString());
    }

    /** Convenience: the id of a plain URL. */
    public static String taskId(String url) {
        return taskId(TaskIdInput.of(url));
    }

    /** Lowercase hex sha256 of the UTF-8 bytes of {@code s}. */
    public static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /**
     * Normalises a URL as the Rust client does with the WHATWG {@code url} crate: lowercase scheme and
     * host, default port dropped, empty path becomes {@code /}; filtered query pairs are removed and the
     * rest re-serialised as {@code application/x-www-form-urlencoded} in their original order (no pair
     * left ⇒ no {@code ?}); fragment kept; a bare {@code /} path loses its trailing slash.
     *
     * <p>Supported: special schemes with an authority ({@code scheme://host[:port]/...}). IDNA host
     * mapping and path dot-segment resolution are not performed.
     */
    public static String normalizeUrl(String url, List<String> filteredQueryParams) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            throw new InvalidTaskUrlException(url, "no scheme://authority");
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String rest = url.substring(schemeEnd + 3);
        String fragment = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = rest.substring(hash + 1);
            rest = rest.substring(0, hash);
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash) : "/";
        if (authority.isEmpty()) {
            throw new InvalidTaskUrlException(url, "empty host");
        }
        String userinfo = "";
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            userinfo = authority.substring(0, at + 1);
            authority = authority.substring(at + 1);
        }
        String host = authority;
        String port = null;
        int colon = authority.lastIndexOf(':');
        if (colon >= 0 && authority.indexOf(']', colon) < 0) {
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
            if (port.isEmpty() || port.equals(defaultPort(scheme))) {
                port = null;
            } else if (!port.chars().allMatch(Character::isDigit)) {
                throw new InvalidTaskUrlException(url, "invalid port '" + port + "'");
            } else {
                port = String.valueOf(Integer.parseInt(port));
            }
        }
        StringBuilder out = new StringBuilder(url.length());
        out.append(scheme).append("://").append(userinfo).append(host.toLowerCase(Locale.ROOT));
        if (port != null) {
            out.append(':').append(port);
        }
        out.append(path);
        if (query != null) {
            String serialized = filterQuery(query, filteredQueryParams);
            if (!serialized.isEmpty()) {
                out.append('?').append(serialized);
            }
        }
        if (fragment != null) {
            out.append('#').append(fragment);
        }
        if (path.equals("/") && out.charAt(out.length() - 1) == '/') {
            out.setLength(out.length() - 1);
        }
        return out.toString();
    }

    private static String defaultPort(String scheme) {
        switch (scheme) {
            case "http":
            case "ws":
                return "80";
            case "https":
            case "wss":
                return "443";
            case "ftp":
                return "21";
            default:
                return null;
        }
    }

    private static String filterQuery(String query, List<String> filtered) {
        List<String> kept = new ArrayList<>();
        for (String part : query.split("&", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = formDecode(eq >= 0 ? part.substring(0, eq) : part);
            String value = eq >= 0 ? formDecode(part.substring(eq + 1)) : "";
            if (filtered.contains(name)) {
                continue;
            }
            kept.add(formEncode(name) + "=" + formEncode(value));
        }
        return String.join("&", kept);
    }

    private static String formDecode(String s) {
        byte[] in = s.replace('+', ' ').getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        return Character.digit(b, 16);
    }

    private static String formEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '*' || c == '-' || c == '.' || c == '_') {
                sb.append((char) c);
            } else if (c == ' ') {
                sb.append('+');
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }
}

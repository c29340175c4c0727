package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.Origin;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What to download: a task and where its bytes come from when no parent has them.
 *
 * @param taskId the Dragonfly task id (spec §3.1; computed by the caller, e.g. with {@code TaskIds})
 * @param url the URL the task stands for, sent to the scheduler in Download.url and logged (no credentials)
 * @param origin the back-to-source reader of the task's bytes
 * @param pieceLength bytes per piece; 0 = chosen from the content length as spec §3.3 (4 MiB … 64 MiB).
 *        Default 0
 * @param expectedSha256 the SHA-256 of the whole content as 64 lowercase hex characters (a {@code sha256:}
 *        prefix is accepted and removed); when present the content is hashed once complete. Default empty
 * @param tag Download.tag; default empty
 * @param application Download.application; default empty
 * @param priority Download.priority, 0 … 6 (LEVEL0 … LEVEL6); default 0
 * @param requestHeaders Download.request_header (the scheduler passes them to a seed peer); default none
 */
public record TaskRequest(String taskId, String url, Origin origin, long pieceLength, Optional<String> expectedSha256,
                          Optional<String> tag, Optional<String> application, int priority,
                          Map<String, String> requestHeaders) {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");

    public TaskRequest {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(application, "application");
        expectedSha256 = Objects.requireNonNull(expectedSha256, "expectedSha256").map(TaskRequest::normalizeSha256);
        requestHeaders = Map.copyOf(requestHeaders);
        if (pieceLength < 0) {
            throw new IllegalArgumentException("pieceLength must be ≥ 0 (0 = by content length), was " + pieceLength);
        }
        if (priority < 0 || priority > 6) {
            throw new IllegalArgumentException("priority must be 0…6, was " + priority);
        }
    }

    /** A request with the defaults: piece length by content length, no digest, no tag/application, LEVEL0. */
    public static TaskRequest of(String taskId, String url, Origin origin) {
        return new TaskRequest(taskId, url, origin, 0, Optional.empty(), Optional.empty(), Optional.empty(), 0, Map.of());
    }

    /** Bytes; 0 = by content length. */
    public TaskRequest withPieceLength(long bytes) {
        return new TaskRequest(taskId, url, origin, bytes, expectedSha256, tag, application, priority, requestHeaders);
    }

    /** {@code sha256:<hex>} or {@code <hex>}. */
    public TaskRequest withExpectedSha256(String digest) {
        return new TaskRequest(taskId, url, origin, pieceLength, Optional.of(digest), tag, application, priority,
                requestHeaders);
    }

    public TaskRequest withTag(String value) {
        return new TaskRequest(taskId, url, origin, pieceLength, expectedSha256, Optional.ofNullable(value),
                application, priority, requestHeaders);
    }

    public TaskRequest withApplication(String value) {
        return new TaskRequest(taskId, url, origin, pieceLength, expectedSha256, tag, Optional.ofNullable(value),
                priority, requestHeaders);
    }

    public TaskRequest withPriority(int level) {
        return new TaskRequest(taskId, url, origin, pieceLength, expectedSha256, tag, application, level,
                requestHeaders);
    }

    public TaskRequest withRequestHeaders(Map<String, String> headers) {
        return new TaskRequest(taskId, url, origin, pieceLength, expectedSha256, tag, application, priority, headers);
    }

    private static String normalizeSha256(String digest) {
        String hex = digest.toLowerCase(Locale.ROOT);
        if (hex.startsWith("sha256:")) {
            hex = hex.substring("sha256:".length());
        }
        if (!HEX64.matcher(hex).matches()) {
            throw new IllegalArgumentException("expected SHA-256 must be 64 hex characters, was '" + digest + "'");
        }
        return hex;
    }
}

package dev.damselfly.proxy.p2p;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Dragonfly request headers of spec §4.3 that shape a P2P download, parsed and checked. Headers not
 * listed here ({@code X-Dragonfly-Registry} is the proxy's routing business) are not forwarded anywhere.
 * {@code X-Dragonfly-Output-Path} and {@code X-Dragonfly-Force-Hard-Link} are deliberately ignored: the
 * proxy answers over HTTP only and never hard-links a result into the client's file system.
 *
 * @param tag                          {@code X-Dragonfly-Tag}: Download.tag, an input of the task id; default none
 * @param application                  {@code X-Dragonfly-Application}: Download.application, an input of the task id;
 *                                     default none
 * @param priority                     {@code X-Dragonfly-Priority}: 0 to 6 (common.v2 Priority LEVEL0..LEVEL6); default
 *                                     {@value #DEFAULT_PRIORITY}
 * @param filteredQueryParams          query keys dropped from the URL before the task id is computed: the
 *                                     comma-separated {@code X-Dragonfly-Filtered-Query-Params} when given, else
 *                                     {@link #DEFAULT_FILTERED_QUERY_PARAMS}
 * @param pieceLength                  {@code X-Dragonfly-Piece-Length} in bytes (human sizes such as {@code 4mib},
 *                                     {@code 1gib}, {@code 8MB}), at least {@value #MIN_PIECE_LENGTH}; changes the task
 *                                     id; default none (the engine picks by content length, spec §3.3)
 * @param useP2p                       {@code X-Dragonfly-Use-P2P: true} forced this GET onto the P2P path; default false
 * @param prefetch                     {@code X-Dragonfly-Prefetch}: overrides the node's prefetch setting for range
 *                                     requests; default none
 * @param contentForCalculatingTaskId  {@code X-Dragonfly-Content-For-Calculating-Task-ID}: when given, the task id is
 *                                     sha256 of this string; default none
 * @param enableTaskIdBasedBlobDigest  {@code X-Dragonfly-Enable-Task-ID-Based-Blob-Digest}: overrides the node's setting
 *                                     (task id = the blob digest's hex); default none
 */
public record DragonflyHeaders(
        Optional<String> tag,
        Optional<String> application,
        int priority,
        List<String> filteredQueryParams,
        OptionalLong pieceLength,
        boolean useP2p,
        Optional<Boolean> prefetch,
        Optional<String> contentForCalculatingTaskId,
        Optional<Boolean> enableTaskIdBasedBlobDigest) {

    public static final String TAG = "X-Dragonfly-Tag";
    public static final String APPLICATION = "X-Dragonfly-Application";
    public static final String PRIORITY = "X-Dragonfly-Priority";
    public static final String FILTERED_QUERY_PARAMS = "X-Dragonfly-Filtered-Query-Params";
    public static final String USE_P2P = "X-Dragonfly-Use-P2P";
    public static final String PREFETCH = "X-Dragonfly-Prefetch";
    public static final String OUTPUT_PATH = "X-Dragonfly-Output-Path";
    public static final String FORCE_HARD_LINK = "X-Dragonfly-Force-Hard-Link";
    public static final String PIECE_LENGTH = "X-Dragonfly-Piece-Length";
    public static final String CONTENT_FOR_CALCULATING_TASK_ID = "X-Dragonfly-Content-For-Calculating-Task-ID";
    public static final String ENABLE_TASK_ID_BASED_BLOB_DIGEST = "X-Dragonfly-Enable-Task-ID-Based-Blob-Digest";

    /** Every Dragonfly header starts with this (lower case); none of them is forwarded to the origin. */
    public static final String PREFIX = "x-dragonfly-";

    /** Priority of proxy requests without {@code X-Dragonfly-Priority}: 6 (LEVEL6, the lowest urgency). */
    public static final int DEFAULT_PRIORITY = 6;
    /** Highest accepted priority value: 6. Lowest: 0. */
    public static final int MAX_PRIORITY = 6;
    /** Smallest piece length a client may ask for: 4 MiB (4194304 bytes). */
    public static final long MIN_PIECE_LENGTH = 4L << 20;

    /**
     * Query keys left out of the task id by default (spec §3.1, Dragonfly's proxy rule default): signed-URL
     * parameters of S3, GCS, OSS, OBS and COS, and containerd's {@code ns}. Matched case-sensitively.
     */
    public static final List<String> DEFAULT_FILTERED_QUERY_PARAMS = List.of(
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
            "X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-User-Agent",
            "X-Goog-Algorithm", "X-Goog-Credential", "X-Goog-Date", "X-Goog-Expires", "X-Goog-SignedHeaders",
            "X-Goog-Signature",
            "OSSAccessKeyId", "Expires", "Signature", "SecurityToken",
            "AccessKeyId", "X-Obs-Date", "X-Obs-Security-Token",
            "q-sign-algorithm", "q-ak", "q-sign-time", "q-key-time", "q-header-list", "q-url-param-list", "q-signature",
            "x-cos-security-token",
            "ns");

    private static final Pattern HUMAN_SIZE = Pattern.compile("^([0-9]+(?:\\.[0-9]+)?)\\s*([a-zA-Z]*)$");

    public DragonflyHeaders {
        if (priority < 0 || priority > MAX_PRIORITY) {
            throw new IllegalArgumentException("priority must be 0.." + MAX_PRIORITY + ", got " + priority);
        }
        filteredQueryParams = List.copyOf(filteredQueryParams);
    }

    /** The values a request without any Dragonfly header gets. */
    public static DragonflyHeaders defaults() {
        return new DragonflyHeaders(Optional.empty(), Optional.empty(), DEFAULT_PRIORITY, DEFAULT_FILTERED_QUERY_PARAMS,
                OptionalLong.empty(), false, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** True for a header of the {@code X-Dragonfly-} family (case-insensitive). */
    public static boolean isDragonflyHeader(String name) {
        return name.toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    /**
     * Parses the Dragonfly headers of one request.
     *
     * @param header looks a header up by name (case-insensitively), giving its first value or null
     * @throws InvalidDragonflyHeaderException for a priority outside 0..6 or not a number, a piece length that
     *                                         is not a size or is below 4 MiB, a boolean header that is neither
     *                                         {@code true} nor {@code false}
     */
    public static DragonflyHeaders parse(UnaryOperator<String> header) throws InvalidDragonflyHeaderException {
        return new DragonflyHeaders(
                text(header.apply(TAG)),
                text(header.apply(APPLICATION)),
                priority(header.apply(PRIORITY)),
                filtered(header.apply(FILTERED_QUERY_PARAMS)),
                pieceLength(header.apply(PIECE_LENGTH)),
                bool(USE_P2P, header.apply(USE_P2P)).orElse(false),
                bool(PREFETCH, header.apply(PREFETCH)),
                Optional.ofNullable(header.apply(CONTENT_FOR_CALCULATING_TASK_ID)).filter(v -> !v.isEmpty()),
                bool(ENABLE_TASK_ID_BASED_BLOB_DIGEST, header.apply(ENABLE_TASK_ID_BASED_BLOB_DIGEST)));
    }

    private static Optional<String> text(String value) {
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    private static int priority(String value) throws InvalidDragonflyHeaderException {
        if (value == null || value.isBlank()) {
            return DEFAULT_PRIORITY;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new InvalidDragonflyHeaderException(PRIORITY, "'" + value.trim() + "' is not an integer 0.." + MAX_PRIORITY);
        }
        if (parsed < 0 || parsed > MAX_PRIORITY) {
            throw new InvalidDragonflyHeaderException(PRIORITY, parsed + " is outside 0.." + MAX_PRIORITY);
        }
        return parsed;
    }

    private static List<String> filtered(String value) {
        if (value == null) {
            return DEFAULT_FILTERED_QUERY_PARAMS;
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static OptionalLong pieceLength(String value) throws InvalidDragonflyHeaderException {
        if (value == null || value.isBlank()) {
            return OptionalLong.empty();
        }
        long bytes = parseHumanSize(PIECE_LENGTH, value.trim());
        if (bytes < MIN_PIECE_LENGTH) {
            throw new InvalidDragonflyHeaderException(PIECE_LENGTH, "'" + value.trim() + "' is " + bytes
                    + " bytes, below the minimum of 4MiB (" + MIN_PIECE_LENGTH + " bytes)");
        }
        return OptionalLong.of(bytes);
    }

    /**
     * A human-readable size in bytes: a number (decimals allowed) and an optional unit, case-insensitive:
     * {@code b}; {@code k}/{@code kb}, {@code m}/{@code mb}, {@code g}/{@code gb}, {@code t}/{@code tb} (powers of
     * 1000); {@code ki}/{@code kib}, {@code mi}/{@code mib}, {@code gi}/{@code gib}, {@code ti}/{@code tib} (powers
     * of 1024). A fraction of a byte is dropped.
     */
    static long parseHumanSize(String header, String value) throws InvalidDragonflyHeaderException {
        Matcher m = HUMAN_SIZE.matcher(value);
        if (!m.matches()) {
            throw new InvalidDragonflyHeaderException(header, "'" + value + "' is not a size such as 4mib, 64MiB or 1gib");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1L;
            case "k", "kb" -> 1000L;
            case "ki", "kib" -> 1L << 10;
            case "m", "mb" -> 1000_000L;
            case "mi", "mib" -> 1L << 20;
            case "g", "gb" -> 1000_000_000L;
            case "gi", "gib" -> 1L << 30;
            case "t", "tb" -> 1000_000_000_000L;
            case "ti", "tib" -> 1L << 40;
            default -> throw new InvalidDragonflyHeaderException(header, "unknown unit '" + m.group(2) + "' in '" + value
                    + "' (b, kb, kib, mb, mib, gb, gib, tb, tib)");
        };
        BigInteger bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)).toBigInteger();
        if (bytes.bitLength() > 62) {
            throw new InvalidDragonflyHeaderException(header, "'" + value + "' is too large");
        }
        return bytes.longValueExact();
    }

    private static Optional<Boolean> bool(String header, String value) throws InvalidDragonflyHeaderException {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("true")) {
            return Optional.of(true);
        }
        if (v.equalsIgnoreCase("false")) {
            return Optional.of(false);
        }
        throw new InvalidDragonflyHeaderException(header, "'" + v + "' is neither true nor false");
    }
}

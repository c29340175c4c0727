package dev.damselfly.proxy;

import dev.damselfly.oci.registry.ByteRange;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Range} header of a P2P blob GET: exactly one byte range ({@code bytes=first-last},
 * {@code bytes=first-}, {@code bytes=-suffix}), as Dragonfly accepts (spec §4.3, §4.5). Several ranges or a
 * malformed header are refused with 400 and a reason; a range that lies outside the blob is 416, decided
 * once the blob's length is known ({@link #resolve}).
 */
final class RangeHeader {
    private static final Pattern SINGLE = Pattern.compile("^\\s*([0-9]*)\\s*-\\s*([0-9]*)\\s*$");

    /** What a satisfiable range covers: {@code length} bytes from {@code offset}. */
    record Slice(long offset, long length) {
        /** The last byte's offset (for {@code Content-Range}); meaningful when {@code length > 0}. */
        long last() {
            return offset + length - 1;
        }
    }

    private RangeHeader() {
    }

    /**
     * @param value the header, or null
     * @return the requested range, or empty when there is no header
     * @throws ProxyException 400 for several ranges, another unit or a malformed range
     */
    static Optional<ByteRange> parse(String value) throws ProxyException {
        if (value == null) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        int equals = trimmed.indexOf('=');
        if (equals < 0 || !trimmed.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            throw new ProxyException(400, "Range header must be 'bytes=first-last', got a different unit or form");
        }
        String spec = trimmed.substring(equals + 1);
        if (spec.contains(",")) {
            throw new ProxyException(400, "multiple byte ranges in one request are not supported; ask for one range at a time");
        }
        Matcher m = SINGLE.matcher(spec);
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            throw new ProxyException(400, "malformed Range '" + spec.trim() + "': expected first-last, first- or -suffix");
        }
        try {
            if (m.group(1).isEmpty()) {
                long suffix = Long.parseLong(m.group(2));
                if (suffix == 0) {
                    throw new ProxyException(400, "Range suffix length must be at least 1, got bytes=-0");
                }
                return Optional.of(ByteRange.suffix(suffix));
            }
            long first = Long.parseLong(m.group(1));
            if (m.group(2).isEmpty()) {
                return Optional.of(ByteRange.from(first));
            }
            long last = Long.parseLong(m.group(2));
            if (last < first) {
                throw new ProxyException(400, "Range last byte " + last + " is before its first byte " + first);
            }
            if (last == Long.MAX_VALUE) {
                return Optional.of(ByteRange.from(first));
            }
            return Optional.of(ByteRange.of(first, last - first + 1));
        } catch (NumberFormatException e) {
            throw new ProxyException(400, "Range offset too large: '" + spec.trim() + "'");
        }
    }

    /**
     * The bytes {@code range} covers in a blob of {@code total} bytes (an end past the blob is cut to it), or
     * empty when the range is unsatisfiable (starts at or after the end, or the blob is empty).
     */
    static Optional<Slice> resolve(ByteRange range, long total) {
        if (range.isSuffix()) {
            if (total == 0) {
                return Optional.empty();
            }
            long length = Math.min(range.length(), total);
            return Optional.of(new Slice(total - length, length));
        }
        if (range.offset() >= total) {
            return Optional.empty();
        }
        long available = total - range.offset();
        long length = range.length() < 0 ? available : Math.min(range.length(), available);
        return Optional.of(new Slice(range.offset(), length));
    }
}

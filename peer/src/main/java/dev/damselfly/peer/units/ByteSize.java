package dev.damselfly.peer.units;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts written with units, for options and config keys such as {@code --push-chunk-size 16MiB}.
 *
 * <p>Accepted: a non-negative number (decimals allowed, rounded to the nearest byte) followed by an
 * optional unit, case-insensitive, with optional blanks in between. Binary units ({@code K}, {@code Ki},
 * {@code KiB}; likewise {@code M}, {@code G}, {@code T}) are powers of 1024, as in {@code dd} and the
 * kernel; decimal units ({@code KB}, {@code MB}, {@code GB}, {@code TB}) are powers of 1000; no unit or
 * {@code B} means bytes.
 */
public final class ByteSize {
    private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?|\\.\\d+)\\s*([a-zA-Z]*)\\s*");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1L << 10), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10), Map.entry("kb", 1_000L),
            Map.entry("m", 1L << 20), Map.entry("mi", 1L << 20), Map.entry("mib", 1L << 20), Map.entry("mb", 1_000_000L),
            Map.entry("g", 1L << 30), Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30), Map.entry("gb", 1_000_000_000L),
            Map.entry("t", 1L << 40), Map.entry("ti", 1L << 40), Map.entry("tib", 1L << 40), Map.entry("tb", 1_000_000_000_000L));
    private static final String[] BINARY_UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    private static final double MIB = 1024.0 * 1024.0;

    private ByteSize() {
    }

    /**
     * Parses a size such as {@code 64MiB}, {@code 1.5 GiB}, {@code 500MB} or {@code 4096}; returns bytes.
     *
     * @throws IllegalArgumentException naming the input and what is accepted
     */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("size is missing");
        }
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (examples: 4096, 512KiB, 16MiB, 1.5GiB, 500MB)");
        }
        Long multiplier = UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
        if (multiplier == null) {
            throw new IllegalArgumentException("'" + text + "': unknown unit '" + m.group(2)
                    + "' (use B, KiB, MiB, GiB, TiB, or KB, MB, GB, TB)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier))
                .setScale(0, RoundingMode.HALF_UP);
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.longValueExact();
    }

    /** Human-readable binary size: {@code 512 B}, {@code 1.0 KiB}, {@code 12.3 MiB}, one decimal above bytes. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        // 1023.96 KiB would print as "1024.0 KiB": move up a unit instead.
        if (Math.round(value * 10) >= 10240 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, BINARY_UNITS[unit]);
    }

    /** A transfer rate in MiB/s with one decimal, e.g. {@code 10.2 MiB/s}; {@code seconds <= 0} gives 0. */
    public static String formatRate(long bytes, double seconds) {
        double rate = seconds <= 0 ? 0 : bytes / MIB / seconds;
        return String.format(Locale.ROOT, "%.1f MiB/s", rate);
    }
}

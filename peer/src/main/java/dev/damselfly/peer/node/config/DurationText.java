package dev.damselfly.peer.node.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as in Go and Dragonfly's YAML: a whole number followed by {@code ms}, {@code s},
 * {@code m}, {@code h} or {@code d} ({@code 360s}, {@code 5m}, {@code 100ms}); {@code 0} alone is zero.
 */
public final class DurationText {
    private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d+)\\s*(ms|s|m|h|d)?\\s*");

    private DurationText() {
    }

    /** @throws IllegalArgumentException naming the text and the accepted forms */
    public static Duration parse(String text) {
        Matcher m = text == null ? null : SYNTAX.matcher(text.toLowerCase(Locale.ROOT));
        if (m == null || !m.matches() || (m.group(2) == null && Long.parseLong(m.group(1)) != 0)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 100ms, 30s, 5m, 1h, 7d, 0)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The shortest exact text for a duration: {@code 360s} → {@code 6m}, {@code 1500ms} stays. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }
}

package dev.damselfly.peer.node.config;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Link speeds in bits per second, written {@code 10Gbit}, {@code 100Mbit}, {@code 500kbit} (decimal units, as
 * network speeds are) or a bare number of bits per second. Used for the bandwidth a node announces to the
 * scheduler ({@code host.uploadBandwidth}).
 */
public final class BitRate {
    private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d+)\\s*([kmgt]?)(bit|bps)?\\s*");
    private static final Map<String, Long> UNITS = Map.of("", 1L, "k", 1_000L, "m", 1_000_000L,
            "g", 1_000_000_000L, "t", 1_000_000_000_000L);

    private BitRate() {
    }

    /** @throws IllegalArgumentException naming the text and the accepted forms */
    public static long parse(String text) {
        Matcher m = text == null ? null : SYNTAX.matcher(text.toLowerCase(Locale.ROOT));
        if (m == null || !m.matches() || (!m.group(2).isEmpty() && m.group(3) == null)) {
            throw new IllegalArgumentException("'" + text + "' is not a bit rate (examples: 10Gbit, 100Mbit, 1000000)");
        }
        return Math.multiplyExact(Long.parseLong(m.group(1)), UNITS.get(m.group(2)));
    }
}

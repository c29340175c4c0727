package dev.damselfly.peer.logging;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that is about to be logged or printed: {@code Authorization} header
 * values, {@code Basic}/{@code Bearer} credentials, {@code password=}/{@code token:}-style pairs and
 * the password of {@code scheme://user:password@host} URLs. A last line of defence: code should not
 * log secrets in the first place.
 */
public final class Redaction {
    /** What replaces a secret. */
    public static final String MASK = "<redacted>";

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("(?i)\\b(authorization\\s*[:=]\\s*)(?:(basic|bearer)\\s+)?[^\\s,;\"']+"), "$1$2 " + MASK),
            new Rule(Pattern.compile("(?i)\\b(basic|bearer)\\s+[A-Za-z0-9._~+/=-]{8,}"), "$1 " + MASK),
            new Rule(Pattern.compile("(?i)\\b(password|passwd|secret|identitytoken|access_token|refresh_token|token)"
                    + "(\"?\\s*[:=]\\s*\"?)[^\\s\",;&]+"), "$1$2" + MASK),
            new Rule(Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^\\s/:@]+):[^\\s/@]+@"), "$1:" + MASK + "@"));

    private Redaction() {
    }

    /** {@code text} with every secret this class recognises replaced by {@value #MASK}; null stays null. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text;
        for (Rule rule : RULES) {
            result = rule.pattern.matcher(result).replaceAll(rule.replacement);
        }
        return result.replace("  " + MASK, " " + MASK);
    }
}

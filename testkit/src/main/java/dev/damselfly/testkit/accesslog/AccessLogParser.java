package dev.damselfly.testkit.accesslog;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses one line of gorilla/handlers' combined log format as Distribution writes it (see the
 * package documentation). Lines in any other format yield {@link Optional#empty()}.
 */
public final class AccessLogParser {

    private static final String QUOTED = "((?:[^\"\\\\]|\\\\.)*)";
    private static final Pattern LINE = Pattern.compile(
            "^(\\S+) - (\\S+) \\[([^\\]]+)\\] \"(\\S+) (\\S+) ([^\"]*)\" (\\d{3}) (\\d+|-) \"" + QUOTED + "\" \"" + QUOTED + "\"$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);

    private AccessLogParser() {
    }

    /**
     * @param sequence the sequence number to give the entry
     * @param line     one log line without the line terminator
     * @return the entry, or empty when the line is not an access-log line
     */
    public static Optional<AccessLogEntry> parse(long sequence, String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        Instant time;
        try {
            time = ZonedDateTime.parse(m.group(3), TIME).toInstant();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
        String uri = unquote(m.group(5));
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? "" : uri.substring(q + 1);
        long bytes = "-".equals(m.group(8)) ? 0 : Long.parseLong(m.group(8));
        return Optional.of(new AccessLogEntry(sequence, m.group(1), m.group(2), time, m.group(4), path, query,
                m.group(6), Integer.parseInt(m.group(7)), bytes, unquote(m.group(9)), unquote(m.group(10)), line));
    }

    /**
     * Reverses Go's quoting as done by gorilla/handlers {@code appendQuoted}: {@code \"}, {@code \\},
     * {@code \xNN} (an invalid UTF-8 byte, returned as the char U+00NN), {@code \n} etc., {@code \\uXXXX}
     * and {@code \UXXXXXXXX}.
     *
     * @param s the text between the quotes
     * @return the unescaped text
     */
    static String unquote(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'v' -> sb.append('\u000b');
                case 'x' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    sb.appendCodePoint(Integer.parseInt(s.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}

package dev.damselfly.peer.logging;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Damselfly's log line, what the Logback pattern {@code %d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} -
 * %oneline%n%nopex} prints ({@link OneLineMessageConverter}): local time, level, thread, the logger's name shortened
 * to about {@value #LOGGER_LENGTH} characters, and the message with its exception chain and no stack trace, on one
 * line. Written out instead of parsed from that pattern: Logback's pattern layout registers some sixty converters
 * when it is first used, each a lambda class generated at run time, which every command's start paid for.
 */
final class OneLineLayout extends LayoutBase<ILoggingEvent> {
    /** Target length of logger names, characters: 36 (package names are shortened to initials first). */
    static final int LOGGER_LENGTH = 36;

    private final TargetLengthBasedClassNameAbbreviator abbreviator =
            new TargetLengthBasedClassNameAbbreviator(LOGGER_LENGTH);
    /** Shortened logger names: loggers are few and long-lived. */
    private final Map<String, String> loggerNames = new ConcurrentHashMap<>();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        time(line, event.getTimeStamp());
        String level = event.getLevel().toString();
        line.append(' ').append(level);
        for (int pad = level.length(); pad < 5; pad++) {
            line.append(' ');
        }
        line.append(" [").append(event.getThreadName()).append("] ")
                .append(loggerNames.computeIfAbsent(event.getLoggerName(), abbreviator::abbreviate))
                .append(" - ").append(OneLineMessage.of(event)).append(CoreConstants.LINE_SEPARATOR);
        return line.toString();
    }

    /** HH:mm:ss.SSS in the system's time zone. */
    private static void time(StringBuilder line, long epochMillis) {
        LocalTime t = LocalTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault());
        twoDigits(line, t.getHour()).append(':');
        twoDigits(line, t.getMinute()).append(':');
        twoDigits(line, t.getSecond()).append('.');
        int millis = t.getNano() / 1_000_000;
        line.append((char) ('0' + millis / 100)).append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10));
    }

    private static StringBuilder twoDigits(StringBuilder line, int value) {
        return line.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }
}

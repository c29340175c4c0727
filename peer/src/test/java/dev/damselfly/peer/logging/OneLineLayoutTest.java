package dev.damselfly.peer.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.CoreConstants;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The written-out layout prints exactly what Logback's pattern layout prints for the pattern it stands for. */
class OneLineLayoutTest {
    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %oneline%n%nopex";

    @Test
    void printsWhatTheEquivalentPatternPrints() {
        LoggerContext context = new LoggerContext();
        Map<String, Supplier<?>> rules = new HashMap<>();
        rules.put("oneline", OneLineMessageConverter::new);
        context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, rules);
        PatternLayout pattern = new PatternLayout();
        pattern.setContext(context);
        pattern.setPattern(PATTERN);
        pattern.start();
        OneLineLayout layout = new OneLineLayout();
        layout.setContext(context);
        layout.start();

        List<LoggingEvent> events = List.of(
                event(context, "dev.damselfly.peer.node.NodeDaemon", Level.INFO, "node ready host_id={}", null, "h1"),
                event(context, "dev.damselfly.exchange.vortex.VortexPieceServer", Level.WARN, "piece {} failed",
                        new IllegalStateException("bad\nanswer", new IOException("reset")), 7),
                event(context, "a.very.long.package.name.that.goes.on.and.on.ClassNameOfSomeLength", Level.ERROR,
                        "Authorization: Bearer abcdefgh12345678", null),
                event(context, "short", Level.DEBUG, "tab\there", null),
                event(context, "x.y.Z", Level.TRACE, "t", null));
        long midnightAndABit = java.time.LocalDate.now().atTime(0, 0, 5, 7_000_000)
                .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli();
        events.get(4).setTimeStamp(midnightAndABit);
        for (LoggingEvent e : events) {
            e.setThreadName("worker-1");
            assertEquals(pattern.doLayout(e), layout.doLayout(e));
        }
    }

    private static LoggingEvent event(LoggerContext context, String logger, Level level, String message, Throwable t,
                                      Object... args) {
        return new LoggingEvent(OneLineLayoutTest.class.getName(), context.getLogger(logger), level, message, t, args);
    }
}

package dev.damselfly.peer.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class OneLineMessageConverterTest {

    private static String convert(String message, Throwable throwable, Object... args) {
        LoggerContext context = new LoggerContext();
        LoggingEvent event = new LoggingEvent("test", context.getLogger("t"), Level.WARN, message, throwable, args);
        return new OneLineMessageConverter().convert(event);
    }

    @Test
    void foldsLinesAndAppendsTheCauseChain() {
        IOException failure = new IOException("outer\nsecond line", new IllegalStateException("inner"));
        assertEquals("copy of app failed | java.io.IOException: outer second line | java.lang.IllegalStateException: inner",
                convert("copy of {} failed", failure, "app"));
    }

    @Test
    void redactsSecrets() {
        assertEquals("sent Authorization: Basic <redacted>", convert("sent {}", null, "Authorization: Basic dXNlcjpwYXNz"));
    }
}

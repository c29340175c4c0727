package dev.damselfly.peer.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The logging set-up built in code: what a fresh Logback context looks like after {@link LogSetup} ran. */
class LogSetupTest {
    @Test
    void eventsAreOneLineOnStderrWithTheExceptionChainAndNoSecret() {
        LoggerContext context = configured();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        ConsoleAppender<ILoggingEvent> stderr =
                assertInstanceOf(ConsoleAppender.class, root.getAppender(LogSetup.APPENDER));
        assertEquals("System.err", stderr.getTarget());
        assertTrue(stderr.isStarted());

        Logger logger = context.getLogger("dev.damselfly.test");
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.WARN,
                "pull failed blob_id={} header Authorization: Bearer abcdefgh12345678",
                new IllegalStateException("bad\nanswer", new IOException("reset")), new Object[] {"b1"});
        Encoder<ILoggingEvent> encoder = stderr.getEncoder();
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertEquals(1, line.split("\n", -1).length - 1, "exactly one line: " + line);
        assertTrue(line.contains(" WARN  ["), line);
        assertTrue(line.contains("dev.damselfly.test - pull failed blob_id=b1 header Authorization: "), line);
        assertTrue(line.contains(" | java.lang.IllegalStateException: bad answer | java.io.IOException: reset"), line);
        assertFalse(line.contains("abcdefgh12345678"), "the credential is redacted: " + line);
        assertFalse(line.contains("\tat "), "no stack trace: " + line);
    }

    @Test
    void httpClientLoggersKeepTheirLevelsWhateverTheRoot() {
        LoggerContext context = configured();
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG); // as --verbose does
        assertEquals(Level.INFO, context.getLogger("org.apache.hc").getEffectiveLevel());
        assertFalse(context.getLogger("org.apache.hc.client5.http.headers").isDebugEnabled());
        assertFalse(context.getLogger("org.apache.hc.client5.http.wire").isInfoEnabled());
        assertTrue(context.getLogger("dev.damselfly.peer").isDebugEnabled());
    }

    @Test
    void anOperatorsOwnFileWins() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/etc/damselfly/logback.xml");
        try {
            LoggerContext context = new LoggerContext();
            LogSetup setup = new LogSetup();
            setup.setContext(context);
            assertEquals(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY, setup.configure(context));
            assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogSetup.APPENDER));
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }

    private static LoggerContext configured() {
        LoggerContext context = new LoggerContext();
        LogSetup setup = new LogSetup();
        setup.setContext(context);
        assertEquals(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, setup.configure(context));
        return context;
    }
}

package dev.damselfly.peer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Damselfly's logging, set up in code when Logback starts (found through {@code META-INF/services}): events of level
 * WARN and above go to stderr, one line each ({@link OneLineLayout}: exception chains folded in, secrets redacted);
 * {@code --verbose} and the daemons move the root level later ({@link LogLevels}), while the loggers of
 * {@link #FIXED_LEVELS} keep theirs. Building this in code instead of reading an XML file spares every
 * command's start Logback's XML parser and configuration machinery (a fresh JVM's class-load log showed them taking
 * from 0.225 s to 0.385 s of a {@code damselfly build}).
 *
 * <p>An operator's own file wins: with {@code -Dlogback.configurationFile=FILE} (in {@code DAMSELFLY_JAVA_OPTS}), or a
 * {@code logback-test.xml} on the class path (tests), this steps aside and Logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** Name of the stderr appender on the root logger. */
    public static final String APPENDER = "STDERR";
    /**
     * Loggers that keep their level whatever the root's: Apache HttpClient (the oci module's transport) at INFO, its
     * per-connection DEBUG output being chatter; its {@code headers} logger (Authorization headers) and {@code wire}
     * logger (every byte of every blob) at WARN, so that {@code --verbose} never prints a credential.
     */
    public static final Map<String, Level> FIXED_LEVELS = fixedLevels();

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || LogSetup.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        OneLineLayout layout = new OneLineLayout();
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName(APPENDER);
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        FIXED_LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Map<String, Level> fixedLevels() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("org.apache.hc", Level.INFO);
        levels.put("org.apache.hc.client5.http.headers", Level.WARN);
        levels.put("org.apache.hc.client5.http.wire", Level.WARN);
        return java.util.Collections.unmodifiableMap(levels);
    }
}

package dev.damselfly.peer.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Damselfly's logging, set up in code when Logback starts (found through {@code META-INF/services}): events of level
 * WARN and above go to stderr, one line each ({@link #PATTERN}, {@link OneLineMessageConverter}: exception chains
 * folded in, secrets redacted); {@code --verbose} and the daemons move the root level later ({@link LogLevels}), while
 * the loggers of {@link #FIXED_LEVELS} keep theirs. Building this in code instead of reading an XML file spares every
 * command's start Logback's XML parser and configuration machinery (a fresh JVM's class-load log showed them taking
 * from 0.225 s to 0.385 s of a {@code damselfly build}).
 *
 * <p>An operator's own file wins: with {@code -Dlogback.configurationFile=FILE} (in {@code DAMSELFLY_JAVA_OPTS}), or a
 * {@code logback-test.xml} on the class path (tests), this steps aside and Logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    /** One line per event: time, level, thread, logger, the message with its exception chain; no stack trace. */
    public static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %oneline%n%nopex";
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
        converters(context).put("oneline", OneLineMessageConverter::new);
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
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

    /** The context's registry of conversion words (created when absent), as {@code <conversionRule>} fills it. */
    @SuppressWarnings("unchecked")
    private static Map<String, Supplier<DynamicConverter<?>>> converters(LoggerContext context) {
        Object registry = context.getObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS);
        if (registry == null) {
            registry = new HashMap<String, Supplier<DynamicConverter<?>>>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS, registry);
        }
        return (Map<String, Supplier<DynamicConverter<?>>>) registry;
    }

    private static Map<String, Level> fixedLevels() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put("org.apache.hc", Level.INFO);
        levels.put("org.apache.hc.client5.http.headers", Level.WARN);
        levels.put("org.apache.hc.client5.http.wire", Level.WARN);
        return java.util.Collections.unmodifiableMap(levels);
    }
}

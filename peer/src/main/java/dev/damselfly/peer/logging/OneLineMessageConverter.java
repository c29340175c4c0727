package dev.damselfly.peer.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback converter ({@code %oneline} in {@link LogSetup#PATTERN}): the formatted message followed by the
 * exception chain as {@code | Class: message}, line breaks folded to spaces, secrets redacted. Each
 * event thus stays on one line; stack traces are the CLI's business ({@code --verbose}).
 */
public final class OneLineMessageConverter extends ClassicConverter {
    /** How many causes of an exception are shown. */
    public static final int MAX_CAUSES = 5;

    @Override
    public String convert(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(String.valueOf(event.getFormattedMessage()));
        IThrowableProxy throwable = event.getThrowableProxy();
        for (int depth = 0; throwable != null && depth <= MAX_CAUSES; depth++) {
            line.append(" | ").append(throwable.getClassName());
            if (throwable.getMessage() != null) {
                line.append(": ").append(throwable.getMessage());
            }
            throwable = throwable.getCause();
        }
        return Redaction.redact(line.toString().replaceAll("[\\r\\n\\t]+", " "));
    }
}

package dev.damselfly.peer.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * An event's message on one line: the formatted message followed by the exception chain as
 * {@code | Class: message}, line breaks folded to spaces, secrets redacted ({@link Redaction}). Stack traces are the
 * CLI's business ({@code --verbose}).
 */
final class OneLineMessage {
    /** How many causes of an exception are shown. */
    static final int MAX_CAUSES = 5;

    private OneLineMessage() {
    }

    static String of(ILoggingEvent event) {
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

package dev.damselfly.peer.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The message of {@link OneLineLayout} as a Logback conversion word, for an operator's own Logback file
 * ({@code <conversionRule conversionWord="oneline" class="dev.damselfly.peer.logging.OneLineMessageConverter"/>}, then
 * {@code %oneline%n%nopex} in a pattern): the formatted message followed by the exception chain as
 * {@code | Class: message}, line breaks folded to spaces, secrets redacted.
 */
public final class OneLineMessageConverter extends ClassicConverter {
    /** How many causes of an exception are shown. */
    public static final int MAX_CAUSES = OneLineMessage.MAX_CAUSES;

    @Override
    public String convert(ILoggingEvent event) {
        return OneLineMessage.of(event);
    }
}

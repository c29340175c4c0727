package dev.damselfly.peer.node.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import dev.damselfly.peer.units.ByteSize;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/** Jackson readers for the value kinds of the config file: sizes, durations and bit rates, as text or numbers. */
final class ConfigValues {
    private ConfigValues() {
    }

    /** Reads a scalar as text and parses it; a parse error names the text and the accepted forms. */
    private abstract static class Parsed<T> extends JsonDeserializer<T> {
        private final Class<T> type;
        private final Function<String, T> parser;

        Parsed(Class<T> type, Function<String, T> parser) {
            this.type = type;
            this.parser = parser;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return parser.apply(text);
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(text, type, e.getMessage());
            }
        }
    }

    /** {@code 100MiB}, {@code 1.5GB} or a number of bytes. */
    static final class Size extends Parsed<Long> {
        Size() {
            super(Long.class, ByteSize::parse);
        }
    }

    /** {@code 360s}, {@code 5m}, {@code 100ms}, {@code 0}. */
    static final class Time extends Parsed<Duration> {
        Time() {
            super(Duration.class, DurationText::parse);
        }
    }

    /** {@code 10Gbit}, {@code 100Mbit} or a number of bits per second. */
    static final class Bits extends Parsed<Long> {
        Bits() {
            super(Long.class, BitRate::parse);
        }
    }
}

package dev.damselfly.peer.node.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import dev.damselfly.peer.units.ByteSize;
import java.io.IOException;
import java.time.Duration;

/** Jackson readers for the value kinds of the config file: sizes, durations and bit rates, as text or numbers. */
final class ConfigValues {
    private ConfigValues() {
    }

    /** {@code 100MiB}, {@code 1.5GB} or a number of bytes. */
    static final class Size extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return ByteSize.parse(text);
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(text, Long.class, e.getMessage());
            }
        }
    }

    /** {@code 360s}, {@code 5m}, {@code 100ms}, {@code 0}. */
    static final class Time extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return DurationText.parse(text);
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(text, Duration.class, e.getMessage());
            }
        }
    }

    /** {@code 10Gbit}, {@code 100Mbit} or a number of bits per second. */
    static final class Bits extends JsonDeserializer<Long> {
        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return BitRate.parse(text);
            } catch (IllegalArgumentException e) {
                throw ctxt.weirdStringException(text, Long.class, e.getMessage());
            }
        }
    }
}

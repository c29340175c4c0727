package dev.damselfly.peer.cli.options;

import dev.damselfly.peer.units.ByteSize;
import picocli.CommandLine;

/** Converts {@code 16MiB}-style option values to bytes (see {@link ByteSize#parse}). */
public final class ByteSizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return ByteSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}

package dev.damselfly.peer.cli.options;

import dev.damselfly.oci.Platform;
import picocli.CommandLine;

/** Converts {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
public final class PlatformConverter implements CommandLine.ITypeConverter<Platform> {
    @Override
    public Platform convert(String value) {
        try {
            return Platform.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}

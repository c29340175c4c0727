package dev.damselfly.peer.cli.options;

import dev.damselfly.oci.auth.Credentials;
import picocli.CommandLine;

/** Converts {@code USER:PASSWORD}; error messages never repeat the value (it holds a password). */
public final class CredentialsConverter implements CommandLine.ITypeConverter<Credentials> {
    @Override
    public Credentials convert(String value) {
        int colon = value.indexOf(':');
        if (colon <= 0) {
            throw new CommandLine.TypeConversionException("expected USER:PASSWORD");
        }
        return Credentials.basic(value.substring(0, colon), value.substring(colon + 1));
    }
}

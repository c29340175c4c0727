package dev.damselfly.peer.cli.proxy;

import dev.damselfly.proxy.RegistryUpstream;
import java.net.URI;
import picocli.CommandLine;

/**
 * Converts {@code NAME} (served over HTTPS at {@code https://NAME}; Docker Hub at
 * {@code https://registry-1.docker.io}) or {@code NAME=URL} (an explicit upstream, e.g.
 * {@code 127.0.0.1:5000=http://127.0.0.1:5000}).
 */
public final class RegistryUpstreamConverter implements CommandLine.ITypeConverter<RegistryUpstream> {
    @Override
    public RegistryUpstream convert(String value) {
        try {
            int equals = value.indexOf('=');
            if (equals < 0) {
                return RegistryUpstream.of(value);
            }
            return new RegistryUpstream(value.substring(0, equals), URI.create(value.substring(equals + 1)));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("--registry takes NAME or NAME=http(s)://HOST[:PORT]: " + e.getMessage());
        }
    }
}

package dev.damselfly.peer.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Creates command objects for picocli, handing the {@link CliEnvironment} to every class with a
 * constructor taking it; everything else (mixins, converters) picocli's default factory makes.
 */
final class CommandFactory implements CommandLine.IFactory {
    private final CliEnvironment environment;
    private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

    CommandFactory(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        Constructor<K> withEnvironment;
        try {
            withEnvironment = type.getDeclaredConstructor(CliEnvironment.class);
        } catch (NoSuchMethodException e) {
            return fallback.create(type);
        }
        withEnvironment.setAccessible(true);
        return withEnvironment.newInstance(environment);
    }
}

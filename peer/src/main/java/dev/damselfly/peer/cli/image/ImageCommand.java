package dev.damselfly.peer.cli.image;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code damselfly image}: the group of image verbs. */
@Command(name = "image",
        description = "Inspect and copy container images (registries and OCI layout directories).",
        subcommands = {InspectCommand.class, CopyCommand.class})
public final class ImageCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: one of " + spec.subcommands().keySet());
    }
}

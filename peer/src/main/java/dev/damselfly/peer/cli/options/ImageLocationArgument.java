package dev.damselfly.peer.cli.options;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.copy.ImageLocations;
import dev.damselfly.oci.layout.OciLayoutReference;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Checks an image location given on the command line ({@code oci:DIR[:TAG]} or a registry reference,
 * optionally {@code docker://}-prefixed) before anything is done with it, so a typo is a usage error
 * (exit 2) that names the argument.
 */
public final class ImageLocationArgument {
    private ImageLocationArgument() {
    }

    /**
     * @return the registry reference, or empty for an OCI layout location
     * @throws CommandLine.ParameterException when the text is neither
     */
    public static Optional<ImageReference> validate(CommandLine commandLine, String argumentName, String text) {
        try {
            if (OciLayoutReference.matches(text)) {
                OciLayoutReference.parse(text);
                return Optional.empty();
            }
            return Optional.of(ImageLocations.registryReference(text));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, argumentName + ": " + e.getMessage(), e, null, text);
        }
    }
}

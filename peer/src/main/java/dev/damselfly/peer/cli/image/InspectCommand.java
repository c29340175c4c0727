package dev.damselfly.peer.cli.image;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.copy.ImageLocations;
import dev.damselfly.oci.copy.ImageSource;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.ExitCodes;
import dev.damselfly.peer.cli.options.CredentialsConverter;
import dev.damselfly.peer.cli.options.ImageLocationArgument;
import dev.damselfly.peer.cli.options.PlatformConverter;
import dev.damselfly.peer.cli.options.RegistryOptions;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code damselfly image inspect REF}: what an image is made of. */
@Command(name = "inspect", sortOptions = false,
        description = {"Show an image's manifest or index, its config and its layers.",
            "REF is a registry reference ([docker://]host/repo[:tag][@digest]) or oci:DIR[:TAG]."})
public final class InspectCommand implements Callable<Integer> {
    /** Output formats of {@code --format}. */
    public enum Format { text, json }

    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REF", description = "The image to inspect.")
    private String reference;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "Pick this platform's manifest from an index (default: the index and this "
                    + "machine's platform, if the index has it).")
    private Platform platform;

    @Option(names = "--raw",
            description = "Print the manifest bytes exactly as stored (with --platform and an index: the platform's manifest).")
    private boolean raw;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Format format;

    @Option(names = "--creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the image's registry (else taken from the auth file).")
    private Credentials credentials;

    @Mixin
    private RegistryOptions registryOptions;

    public InspectCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        Optional<ImageReference> registryReference = ImageLocationArgument.validate(spec.commandLine(), "REF", reference);
        RegistryClient client = registryOptions.client(reference, registryReference, credentials, "--creds");
        ImageSource source = ImageLocations.source(reference, client);
        if (raw) {
            ManifestDocument document = source.rootManifest();
            if (document.isIndex() && platform != null) {
                document = ImageInspection.read(source, platform).manifest().orElseThrow();
            }
            environment.out().write(document.bytes());
            environment.out().flush();
            return ExitCodes.OK;
        }
        ImageInspection inspection = ImageInspection.read(source, platform);
        String text = format == Format.json ? InspectionJson.render(inspection) : InspectionText.render(inspection);
        environment.out().write(text.getBytes(StandardCharsets.UTF_8));
        environment.out().flush();
        return ExitCodes.OK;
    }
}

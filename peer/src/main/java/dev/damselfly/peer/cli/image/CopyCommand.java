package dev.damselfly.peer.cli.image;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.copy.CopyListener;
import dev.damselfly.oci.copy.CopyResult;
import dev.damselfly.oci.copy.ImageCopier;
import dev.damselfly.oci.copy.ImageDestination;
import dev.damselfly.oci.copy.ImageLocations;
import dev.damselfly.oci.copy.ImageSource;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.ExitCodes;
import dev.damselfly.peer.cli.options.CredentialsConverter;
import dev.damselfly.peer.cli.options.ImageLocationArgument;
import dev.damselfly.peer.cli.options.PlatformConverter;
import dev.damselfly.peer.cli.options.RegistryOptions;
import dev.damselfly.peer.cli.progress.LineProgress;
import dev.damselfly.peer.cli.progress.TerminalProgress;
import dev.damselfly.peer.units.ByteSize;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code damselfly image copy SRC DST}: copies an image between registries and OCI layout directories. */
@Command(name = "copy", sortOptions = false,
        description = {"Copy an image: blobs first (verified, skipped when present, mounted across repositories "
                + "of one registry), manifests last.",
            "SRC and DST are registry references ([docker://]host/repo[:tag]) or oci:DIR[:TAG]; "
                + "a layout directory DST is created when missing.",
            "An index is copied whole (all platforms) unless --platform picks one."})
public final class CopyCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "The image to copy.")
    private String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where to copy it.")
    private String destination;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    private PlatformChoice platformChoice;

    /** {@code --platform} or {@code --all}, not both. */
    static final class PlatformChoice {
        @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
                description = "Copy only this platform's manifest of an index (the copy is then that manifest, not an index).")
        Platform platform;

        @Option(names = "--all", description = "Copy every platform of an index, keeping the index (the default).")
        boolean all;
    }

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "3",
            description = "Blobs transferred at once (default: ${DEFAULT-VALUE}).")
    private int parallel;

    @Option(names = {"-q", "--quiet"}, description = "Print only the digest of the copied manifest or index.")
    private boolean quiet;

    @Option(names = "--src-creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the source registry (else taken from the auth file).")
    private Credentials sourceCredentials;

    @Option(names = "--dest-creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the destination registry (else taken from the auth file).")
    private Credentials destinationCredentials;

    @Mixin
    private RegistryOptions registryOptions;

    public CopyCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine commandLine = spec.commandLine();
        Optional<ImageReference> sourceReference = ImageLocationArgument.validate(commandLine, "SRC", source);
        Optional<ImageReference> destinationReference = ImageLocationArgument.validate(commandLine, "DST", destination);
        if (parallel < 1) {
            throw new CommandLine.ParameterException(commandLine, "--parallel must be 1 or more, got " + parallel);
        }
        ImageSource from = ImageLocations.source(source,
                registryOptions.client(source, sourceReference, sourceCredentials, "--src-creds"));
        ImageDestination to = ImageLocations.destination(destination,
                registryOptions.client(destination, destinationReference, destinationCredentials, "--dest-creds"));
        Platform platform = platformChoice == null ? null : platformChoice.platform;

        TerminalProgress terminalProgress = null;
        CopyListener listener;
        if (quiet) {
            listener = CopyListener.NONE;
        } else if (environment.terminal().interactive()) {
            terminalProgress = new TerminalProgress(environment.err(), environment.terminal().columns(), environment.nanoClock());
            listener = terminalProgress;
        } else {
            listener = new LineProgress(environment.out());
        }
        CopyResult result;
        try {
            result = new ImageCopier(listener, parallel).copy(from, to, platform);
        } finally {
            if (terminalProgress != null) {
                terminalProgress.finish();
            }
        }
        if (quiet) {
            environment.out().println(result.rootDigest());
        } else {
            environment.out().println(summary(from.describe(), to.describe(), result));
        }
        environment.out().flush();
        return ExitCodes.OK;
    }

    /** {@code copied SRC -> DST: N blobs (X MiB) copied, M present, K mounted; digest sha256:...}. */
    static String summary(String from, String to, CopyResult result) {
        return "copied " + from + " -> " + to + ": " + result.copied() + " blobs ("
                + ByteSize.format(result.bytesCopied()) + ") copied, " + result.present() + " present, "
                + result.mounted() + " mounted; digest " + result.rootDigest();
    }
}

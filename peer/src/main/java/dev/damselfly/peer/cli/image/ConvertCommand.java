package dev.damselfly.peer.cli.image;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.options.ByteSizeConverter;
import dev.damselfly.peer.cli.options.CredentialsConverter;
import dev.damselfly.peer.cli.options.ImageLocationArgument;
import dev.damselfly.peer.cli.options.PlatformConverter;
import dev.damselfly.peer.cli.options.RegistryOptions;
import dev.damselfly.peer.convert.ConversionResult;
import dev.damselfly.peer.convert.MultiPlatformConversion;
import dev.damselfly.peer.convert.PlatformConversion;
import dev.damselfly.peer.convert.NydusConverter;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly convert SRC DST}: converts one platform of an OCI/Docker image in a registry to a Nydus image
 * pushed to DST (layers streamed through the builder, bootstraps merged, spec §4 manifest); with
 * {@code --all-platforms} every platform of an index, pushed as an index of Nydus manifests.
 */
@Command(name = "convert", sortOptions = false,
        description = {"Convert an OCI or Docker image to a Nydus (RAFS v6) image: each layer is streamed from SRC through "
                + "the builder, blobs are pushed to DST, the layer bootstraps are merged into the bootstrap layer, and a "
                + "manifest with Nydus's media types and annotations is pushed under DST's tag."})
public final class ConvertCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC", description = "The source image (a registry reference).")
    private String source;

    @Parameters(index = "1", paramLabel = "DST", description = "Where to push the Nydus image (a registry reference).")
    private String destination;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "Platform to convert from an index (default: this machine's).")
    private Platform platform;

    @Option(names = "--all-platforms", description = "Convert every platform of an index (as nydusify --all-platforms) "
            + "and push an index of the Nydus manifests, each entry with its source platform; layers shared by platforms "
            + "are built and pushed once. A single-manifest SRC is converted as it is. Not with --platform.")
    private boolean allPlatforms;

    @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "1MiB", converter = ByteSizeConverter.class,
            description = "Chunk size, a power of two from 4KiB to 16MiB (default ${DEFAULT-VALUE}).")
    private long chunkSize;

    @Option(names = "--compressor", paramLabel = "NAME", defaultValue = "ZSTD",
            description = "Chunk compression: ZSTD, LZ4_BLOCK or NONE (default ${DEFAULT-VALUE}).")
    private Compression compression;

    @Option(names = "--digester", paramLabel = "NAME", defaultValue = "BLAKE3",
            description = "Chunk digest: BLAKE3 or SHA256 (default ${DEFAULT-VALUE}).")
    private DigestAlgorithm digest;

    @Option(names = "--prefetch-list", paramLabel = "FILE", description = "Absolute paths (one per line, e.g. the access "
            + "trace of a mount) whose files form the image's prefetch table, in that order, as nydusify --prefetch-patterns; "
            + "their chunks are also laid out together in each layer's blob, so a mount prefetches them in a few large "
            + "reads. Default: the root (prefetch everything), blobs in tar order.")
    private Path prefetchList;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where layer blobs and bootstraps are built (default: a temporary directory, removed afterwards).")
    private Path workDir;

    @Option(names = "--src-creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the source registry.")
    private Credentials sourceCredentials;

    @Option(names = "--dest-creds", paramLabel = "USER:PASSWORD", converter = CredentialsConverter.class,
            description = "Credentials for the destination registry.")
    private Credentials destinationCredentials;

    @Mixin
    private RegistryOptions registryOptions;

    public ConvertCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine commandLine = spec.commandLine();
        ImageReference from = ImageLocationArgument.validate(commandLine, "SRC", source)
                .orElseThrow(() -> new CommandLine.ParameterException(commandLine, "SRC must be a registry reference"));
        ImageReference to = ImageLocationArgument.validate(commandLine, "DST", destination)
                .orElseThrow(() -> new CommandLine.ParameterException(commandLine, "DST must be a registry reference"));
        if (allPlatforms && platform != null) {
            throw new CommandLine.ParameterException(commandLine, "--all-platforms and --platform exclude each other");
        }
        LayerBuildOptions options;
        try {
            if (compression == Compression.GZIP) {
                throw new IllegalArgumentException("--compressor GZIP is read-only here: use ZSTD, LZ4_BLOCK or NONE");
            }
            options = LayerBuildOptions.defaults().withChunkSize(Math.toIntExact(chunkSize)).withCompression(compression)
                    .withDigest(digest);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
        if (prefetchList != null) {
            try {
                options = options.withPrefetchPaths(Files.readAllLines(prefetchList));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(commandLine, "cannot read --prefetch-list " + prefetchList + ": " + e);
            }
        }
        NydusConverter converter = new NydusConverter(
                registryOptions.client(source, java.util.Optional.of(from), sourceCredentials, "--src-creds"),
                registryOptions.client(destination, java.util.Optional.of(to), destinationCredentials, "--dest-creds"),
                new LayerBuilder(options), line -> environment.err().println(line));
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("damselfly-convert-");
        try {
            if (allPlatforms) {
                MultiPlatformConversion all = converter.convertAll(from, to, dir);
                for (PlatformConversion p : all.platforms()) {
                    ConversionResult r = p.result();
                    environment.out().printf("%s: %d layers, %d blob bytes, bootstrap %d bytes; manifest %s%n",
                            p.platform() == null ? "image" : p.platform(), r.layers(), r.blobBytes(), r.bootstrapBytes(),
                            r.manifestDigest());
                }
                environment.out().printf("converted %s -> %s: %d platforms, %d layers built, %d shared; digest %s%n", from, to,
                        all.platforms().size(), all.layersBuilt(), all.layersShared(), all.digest());
                return 0;
            }
            ConversionResult result = converter.convert(from, to, platform != null ? platform : Platform.current(), dir);
            environment.out().printf("converted %s -> %s: %d layers, %d blob bytes, bootstrap %d bytes; digest %s%n", from, to,
                    result.layers(), result.blobBytes(), result.bootstrapBytes(), result.manifestDigest());
            return 0;
        } finally {
            if (workDir == null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}

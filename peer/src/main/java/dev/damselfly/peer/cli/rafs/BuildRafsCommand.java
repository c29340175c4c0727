package dev.damselfly.peer.cli.rafs;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.options.ByteSizeConverter;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.DigestAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly build LAYER.tar[.gz|.zst]}: a RAFS v6 layer bootstrap and a Nydus data blob from an OCI
 * layer tar, in one streaming pass. The blob is named by its SHA-256 (its registry digest) unless
 * {@code --blob} is given. With {@code --parent-bootstrap} the bootstrap describes the parent with the layer on top.
 */
@Command(name = "build", sortOptions = false,
        description = {"Build a RAFS v6 (Nydus) layer bootstrap and data blob from an OCI layer tar (plain, gzip or zstd)."})
public final class BuildRafsCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LAYER", description = "The layer tar.")
    private Path layer;

    @Option(names = "--bootstrap", paramLabel = "FILE", required = true, description = "Where to write the bootstrap.")
    private Path bootstrap;

    @Option(names = "--blob-dir", paramLabel = "DIR", description = "Directory to write the blob into, named by its "
            + "blob id (default: the bootstrap's directory).")
    private Path blobDir;

    @Option(names = "--chunk-size", paramLabel = "SIZE", defaultValue = "1MiB", converter = ByteSizeConverter.class,
            description = "Chunk size, a power of two from 4KiB to 16MiB (default ${DEFAULT-VALUE}).")
    private long chunkSize;

    @Option(names = "--compressor", paramLabel = "NAME", defaultValue = "ZSTD",
            description = "Chunk compression: ZSTD, LZ4_BLOCK or NONE (default ${DEFAULT-VALUE}).")
    private Compression compression;

    @Option(names = "--digester", paramLabel = "NAME", defaultValue = "BLAKE3",
            description = "Chunk digest: BLAKE3 or SHA256 (default ${DEFAULT-VALUE}).")
    private DigestAlgorithm digest;

    @Option(names = "--aligned", description = "Kernel-mountable: uncompressed chunks aligned to 4 KiB, so "
            + "`mount -t erofs -o ro,device=/dev/loopN BOOTSTRAP DIR` mounts it (implies --compressor NONE).")
    private boolean aligned;

    @Option(names = "--prefetch-list", paramLabel = "FILE", description = "Absolute paths (one per line) whose files "
            + "form the bootstrap's prefetch table, in that order, as nydus-image --prefetch-policy fs; default the root "
            + "(prefetch everything). Unless the list is the root, the listed files' chunks are also laid out together "
            + "after all others in the blob, so a mount prefetches them in a few large reads. Paths missing from the "
            + "layer are skipped with a warning.")
    private Path prefetchList;

    @Option(names = "--chunk-dict", paramLabel = "BOOTSTRAP", description = "A RAFS v6 bootstrap whose chunks are not "
            + "stored again: chunks with the same digest point into its blobs (which readers then need too).")
    private Path chunkDict;

    @Option(names = "--parent-bootstrap", paramLabel = "BOOTSTRAP", description = "Apply the layer on top of this RAFS v6 "
            + "bootstrap (as nydus-image create --parent-bootstrap): the bootstrap written is the parent's tree with the "
            + "layer's whiteouts and opaque directories applied, its blob table the parent's blobs then this layer's, "
            + "and chunks the parent has are not stored again (default: none).")
    private Path parentBootstrap;

    public BuildRafsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        if (compression == Compression.GZIP) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--compressor GZIP is read-only here: use ZSTD, LZ4_BLOCK or NONE");
        }
        LayerBuildOptions options;
        try {
            options = LayerBuildOptions.defaults().withChunkSize(Math.toIntExact(chunkSize)).withDigest(digest)
                    .withCompression(aligned ? Compression.NONE : compression).withAligned(aligned);
            if (prefetchList != null) {
                options = options.withPrefetchPaths(Files.readAllLines(prefetchList));
            }
            if (chunkDict != null) {
                options = options.withChunkDict(chunkDict);
            }
            if (parentBootstrap != null) {
                options = options.withParentBootstrap(parentBootstrap);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path directory = blobDir != null ? blobDir : bootstrap.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, ".blob-", ".tmp");
        try {
            LayerBuildResult result = new LayerBuilder(options).build(layer, bootstrap, temporary);
            Path blob = directory.resolve(result.blobId());
            Files.move(temporary, blob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            environment.out().printf("bootstrap %s (%d bytes, %d inodes)%nblob %s (%d bytes, %d chunks, %d references)%n",
                    bootstrap, result.bootstrapSize(), result.inodeCount(), blob, result.blobSize(), result.chunkCount(),
                    result.chunkReferences());
            for (String missing : result.prefetchMissing()) {
                environment.err().println("warning: prefetch path " + missing + " is not in the layer; skipped");
            }
            if (chunkDict != null || parentBootstrap != null) {
                environment.out().printf("chunk dictionary %s: %d chunk references into blobs %s%n",
                        chunkDict != null ? chunkDict : parentBootstrap, result.dictionaryChunkReferences(),
                        result.dictionaryBlobIds());
            }
            return 0;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}

package dev.damselfly.peer.cli.rafs;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.build.LayerBuildOptions;
import dev.damselfly.rafs.build.LayerMerger;
import dev.damselfly.rafs.build.MergeResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly merge LAYER.boot... --bootstrap OUT}: merges layer bootstraps (lowest layer first) into one
 * image bootstrap as nydus-image merge does: upper layers win, whiteouts remove, opaque directories hide what is
 * below; the blob table lists each distinct blob once: the parent's (with {@code --parent-bootstrap}), then each
 * layer's in layer order (layers built with a chunk dictionary bring the dictionary's blobs they use). Each layer's
 * own blob is the last entry of its blob table, and its id is read from there.
 */
@Command(name = "merge", sortOptions = false,
        description = "Merge Nydus layer bootstraps (lowest first) into one image bootstrap (whiteouts and opaque directories applied).")
public final class MergeRafsCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "LAYER_BOOTSTRAP", description = "Layer bootstraps, lowest layer first.")
    private List<Path> layers;

    @Option(names = "--bootstrap", paramLabel = "FILE", required = true, description = "Where to write the merged bootstrap.")
    private Path output;

    @Option(names = "--prefetch-list", paramLabel = "FILE", description = "Absolute paths (one per line) for the merged "
            + "bootstrap's prefetch table; default the root (prefetch everything).")
    private Path prefetchList;

    @Option(names = "--parent-bootstrap", paramLabel = "BOOTSTRAP", description = "A RAFS v6 image bootstrap placed "
            + "below the layers, its blobs first and keeping their ids (as nydus-image merge --parent-bootstrap; default: none).")
    private Path parentBootstrap;

    public MergeRafsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        List<String> blobIds = new ArrayList<>();
        for (Path layer : layers) {
            if (!Files.isRegularFile(layer)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such bootstrap: " + layer);
            }
            try (RafsImage image = RafsImages.open(layer)) {
                List<BlobInfo> blobs = image.blobs();
                if (blobs.isEmpty()) {
                    environment.err().println("damselfly: " + layer + " has no blob; merge takes layer bootstraps");
                    return 1;
                }
                blobIds.add(blobs.get(blobs.size() - 1).blobId());
            }
        }
        List<String> prefetch = prefetchList != null ? Files.readAllLines(prefetchList) : LayerBuildOptions.PREFETCH_ALL;
        if (parentBootstrap != null && !Files.isRegularFile(parentBootstrap)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such bootstrap: " + parentBootstrap);
        }
        MergeResult result = LayerMerger.mergeOnto(parentBootstrap, layers, blobIds, output, prefetch);
        for (String missing : result.prefetchMissing()) {
            environment.err().println("warning: prefetch path " + missing + " is not in the merged tree; skipped");
        }
        environment.out().printf("bootstrap %s (%d bytes, %d inodes, %d blobs)%n", result.bootstrap(), result.bytes(),
                result.inodeCount(), result.blobCount());
        return 0;
    }
}

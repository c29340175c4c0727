package dev.damselfly.peer.cli.rafs;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.inspect.RafsInspector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code damselfly inspect BOOTSTRAP}: superblock, blob table, prefetch table and tree of a RAFS v6/v5 bootstrap. */
@Command(name = "inspect", sortOptions = false,
        description = {"Print a RAFS (Nydus) bootstrap: superblock, blob table, prefetch table and the tree, like "
                + "nydus-image inspect. With --blob-dir, every file is read and its content SHA-256 and chunk digest check shown."})
public final class InspectRafsCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Parameters(index = "0", paramLabel = "BOOTSTRAP", description = "A RAFS v6 or v5 bootstrap file (or a plain EROFS image).")
    private Path bootstrap;

    @Option(names = "--blob-dir", paramLabel = "DIR", description = "Directory holding the image's blobs, named by blob id.")
    private Path blobDir;

    public InspectRafsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        RafsImage image = RafsImages.open(bootstrap);
        if (blobDir == null) {
            environment.out().print(new RafsInspector(image).render(bootstrap.getFileName().toString()));
            return 0;
        }
        try (BlobDirectory blobs = new BlobDirectory(blobDir, image)) {
            environment.out().print(new RafsInspector(image, blobs).render(bootstrap.getFileName().toString()));
        }
        return 0;
    }
}

package dev.damselfly.peer.cli.rafs;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.inspect.RafsChecker;
import dev.damselfly.rafs.inspect.TreeWalker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly check BOOTSTRAP [--blob-dir DIR]}: verifies the bootstrap's structure and, with blobs,
 * every chunk's digest; names each corrupt chunk with the files that use it. Exit 1 when anything is wrong.
 */
@Command(name = "check", sortOptions = false,
        description = {"Verify a RAFS (Nydus) bootstrap's structure and, with --blob-dir, every chunk of every file "
                + "against its digest. Each corrupt chunk is named with the files that use it; exit status 1 if any."})
public final class CheckRafsCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @Parameters(index = "0", paramLabel = "BOOTSTRAP", description = "A RAFS v6 or v5 bootstrap file.")
    private Path bootstrap;

    @Option(names = "--blob-dir", paramLabel = "DIR", description = "Directory holding the image's blobs, named by blob id.")
    private Path blobDir;

    public CheckRafsCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        RafsImage image = RafsImages.open(bootstrap);
        RafsChecker.Report report = RafsChecker.check(image);
        environment.out().print(report.render());
        if (blobDir == null) {
            return 0;
        }
        try (BlobDirectory blobs = new BlobDirectory(blobDir, image)) {
            if (!blobs.missing().isEmpty()) {
                environment.err().println("damselfly: blobs missing from " + blobDir + ": " + blobs.missing());
                return 1;
            }
            FileContentReader reader = new FileContentReader(image, blobs, true);
            Map<String, Corrupt> corrupt = new LinkedHashMap<>();
            long[] checked = new long[1];
            TreeWalker.walk(image, (path, depth, attributes) -> {
                if (attributes.type() != FileType.REGULAR) {
                    return;
                }
                for (ChunkRef chunk : image.chunks(attributes.handle())) {
                    String key = chunk.blobId() + "#" + chunk.chunkIndex();
                    Corrupt known = corrupt.get(key);
                    if (known != null) {
                        known.files.add(path);
                        continue;
                    }
                    try {
                        reader.chunk(chunk);
                        checked[0]++;
                    } catch (ChunkDigestMismatchException e) {
                        Corrupt bad = new Corrupt(chunk, e.expected(), e.actual());
                        bad.files.add(path);
                        corrupt.put(key, bad);
                    } catch (java.io.IOException e) {
                        throw new dev.damselfly.rafs.RafsFormatException(bootstrap.toString(), chunk.compressedOffset(),
                                attributes.handle(), "chunk " + key + " of " + path + " unreadable: " + e.getMessage(), e);
                    }
                }
            });
            for (Corrupt bad : corrupt.values()) {
                environment.out().printf("CORRUPT chunk %d of blob %s at compressed offset %d: expected %s, got %s; used by %s%n",
                        bad.chunk.chunkIndex(), bad.chunk.blobId(), bad.chunk.compressedOffset(), bad.expected, bad.actual,
                        String.join(", ", bad.files));
            }
            environment.out().printf("chunks verified: %d good, %d corrupt%n", checked[0], corrupt.size());
            return corrupt.isEmpty() ? 0 : 1;
        }
    }

    private static final class Corrupt {
        final ChunkRef chunk;
        final String expected;
        final String actual;
        final List<String> files = new ArrayList<>();

        Corrupt(ChunkRef chunk, String expected, String actual) {
            this.chunk = chunk;
            this.expected = expected;
            this.actual = actual;
        }
    }
}

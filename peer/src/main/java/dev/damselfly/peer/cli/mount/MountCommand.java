package dev.damselfly.peer.cli.mount;

import dev.damselfly.peer.cli.CliEnvironment;
import dev.damselfly.peer.cli.options.ByteSizeConverter;
import dev.damselfly.rafsmount.MountHandle;
import dev.damselfly.rafsmount.MountOptions;
import dev.damselfly.rafsmount.RafsMount;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code damselfly mount BOOTSTRAP MOUNTPOINT --blob-dir DIR}: mounts a RAFS image read-only with FUSE and
 * serves it until SIGINT/SIGTERM or an outside {@code damselfly umount}; then unmounts cleanly. File data is
 * read chunk by chunk on first access and checked against the bootstrap's digests.
 */
@Command(name = "mount", sortOptions = false,
        description = {"Mount a RAFS (Nydus) image lazily with FUSE, read-only, in the foreground. Every chunk is "
                + "verified against its digest before a byte reaches a reader; a corrupt chunk is an I/O error."})
public final class MountCommand implements Callable<Integer> {
    private final CliEnvironment environment;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "BOOTSTRAP", description = "A RAFS v6/v5 bootstrap (or a plain EROFS image).")
    private Path bootstrap;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "An empty directory.")
    private Path mountpoint;

    @Option(names = "--blob-dir", paramLabel = "DIR", required = true,
            description = "Directory holding the image's blobs, named by blob id (like nydusd's localfs backend).")
    private Path blobDir;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Blob cache kept across mounts (nydusd's layout); none by default.")
    private Path cacheDir;

    @Option(names = "--cache-size", paramLabel = "SIZE", defaultValue = "10GiB", converter = ByteSizeConverter.class,
            description = "Upper bound of the blob cache (default ${DEFAULT-VALUE}).")
    private long cacheSize;

    @Option(names = "--amplify-io", paramLabel = "SIZE", defaultValue = "1MiB", converter = ByteSizeConverter.class,
            description = "Adjacent missing chunks are fetched in one read of up to this size (default ${DEFAULT-VALUE}).")
    private long amplifyIo;

    @Option(names = "--access-trace", paramLabel = "FILE",
            description = "Write the files in the order they were first read, one path per line, on unmount.")
    private Path accessTrace;

    @Option(names = "--allow-other", description = "Let other users than the mounting one read the mount.")
    private boolean allowOther;

    public MountCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        MountOptions options;
        try {
            options = MountOptions.of(FileBlobSource.directory(blobDir)).withAmplifyIo(Math.toIntExact(amplifyIo))
                    .withAllowOther(allowOther);
            if (cacheDir != null) {
                options = options.withCache(cacheDir, cacheSize);
            }
            if (accessTrace != null) {
                options = options.withAccessTrace(accessTrace);
            }
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        MountHandle handle = RafsMount.mount(bootstrap, mountpoint, options);
        environment.out().println("mounted " + bootstrap + " on " + handle.mountpoint());
        environment.out().flush();
        handle.awaitUnmount();
        handle.close();
        return 0;
    }
}

package dev.damselfly.rafsmount;

import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.file.Path;

/**
 * Child-process entry point for {@link ShutdownHookTest}: mounts (arguments: bootstrap, mount point, blob directory,
 * trace file, FUSE transport), says READY, waits to be killed.
 */
public final class MountUntilKilled {
    private MountUntilKilled() {
    }

    public static void main(String[] args) throws Exception {
        MountHandle m = RafsMount.mount(Path.of(args[0]), Path.of(args[1]),
                MountOptions.of(FileBlobSource.directory(Path.of(args[2]))).withAccessTrace(Path.of(args[3]))
                        .withTransport(FuseTransport.valueOf(args[4])));
        java.nio.file.Files.readAllBytes(Path.of(args[1], "lib.rs"));
        System.out.println("READY");
        System.out.flush();
        m.awaitUnmount();
    }
}

package dev.damselfly.peer.cli.mount;

import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.rafs.codec.ChunkCodecWarmUp;
import dev.damselfly.rafsmount.RafsMount;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code damselfly mount} served by its own JVM loads on the way to a live mount and its first chunk read,
 * done on one background thread ({@code mount-warm-up}), once per process, from the moment the command line names
 * the verb: while picocli builds the mount command's model and parses it (about 0.1 s of the main thread), then while
 * the main thread fetches the manifest and the bootstrap. In the order the mount needs them: logging (SLF4J's provider
 * and Logback's configuration), the manifest's JSON model (Jackson's mapper and the manifest's deserializers), the
 * FUSE binding's native glue, then the chunk codecs with BLAKE3 compiled. Each step the main thread reaches first, it
 * does itself (a class's initialisation waits for the thread already doing it). One thread, not several: on 2 cores
 * a second warm-up thread beside the main one and the JIT made the mount slower, not faster.
 *
 * <p>This class has no logger of its own in a static field, so starting it does not start logging on the main thread.
 */
public final class MountWarmUp {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    /** A minimal OCI image manifest: parsing it builds the deserializers a registry mount's manifest needs. */
    static final byte[] SAMPLE_MANIFEST = ("{\"schemaVersion\":2,"
            + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2,"
            + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.nydus.blob.v1\",\"size\":2,"
            + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
            + "\"annotations\":{\"containerd.io/snapshot/nydus-bootstrap\":\"true\"}}]}")
            .getBytes(StandardCharsets.US_ASCII);

    private MountWarmUp() {
    }

    /**
     * Starts the warm-up unless it was started before; returns at once. Nothing to do for {@code mount --via-node}, a
     * short client that asks a node to mount. A mount of a local bootstrap reads no manifest: when an argument names a
     * regular file (the bootstrap; or a prefetch list, which then only costs the overlap), the manifest JSON step is left
     * out, so it takes no CPU from the mount. A failed step is logged at DEBUG and left to the mount itself.
     *
     * @param args the command line, or the mount's source alone
     */
    public static void start(String... args) {
        boolean localFile = false;
        for (String arg : args) {
            if ("--via-node".equals(arg)) {
                return;
            }
            localFile |= namesRegularFile(arg);
        }
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        boolean manifest = !localFile;
        Thread warmUp = new Thread(() -> run(manifest), "mount-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
    }

    private static boolean namesRegularFile(String arg) {
        try {
            return !arg.startsWith("-") && Files.isRegularFile(Path.of(arg));
        } catch (InvalidPathException e) {
            return false; // not a path: the command line's own parsing says so
        }
    }

    private static void run(boolean manifest) {
        Logger log = LoggerFactory.getLogger(MountWarmUp.class);
        if (manifest) {
            step(log, "manifest JSON", () -> {
                ManifestDocument.parse(SAMPLE_MANIFEST, null, "warm-up sample");
                return 1;
            });
        }
        step(log, "FUSE binding", () -> {
            RafsMount.warmUp();
            return 1;
        });
        step(log, "chunk codec", ChunkCodecWarmUp::warmUp);
    }

    /** One warm-up step: how it ended goes to DEBUG (count: what the step did, e.g. BLAKE3 digests). */
    private static void step(Logger log, String name, Step step) {
        long t0 = System.nanoTime();
        try {
            int count = step.run();
            log.debug("{} warm-up done took_ms={} count={}", name, (System.nanoTime() - t0) / 1_000_000, count);
        } catch (IOException | RuntimeException | LinkageError e) {
            log.debug("{} warm-up skipped reason={}", name, e.toString());
        }
    }

    @FunctionalInterface
    private interface Step {
        int run() throws IOException; // ManifestFormatException is one
    }
}

package dev.damselfly.rafs.codec;

import com.github.luben.zstd.util.Native;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the native libraries of zstd-jni and lz4-java on a background thread, once per process. Each library copies
 * itself out of its jar into the temporary directory and loads on first use, on the thread that first needs it:
 * about 80 ms for LZ4 and 40–60 ms for zstd measured here, serial time at the start of a build (LZ4 when its
 * chunks are LZ4) and at its very end (the inlined bootstrap is zstd whatever the chunks' compression), when the
 * other core has little to do. Started as the command starts, the loads overlap the command line's parsing.
 *
 * <p>The same thread first starts logging (SLF4J's provider lookup and Logback's configuration, about 40 ms of a build's
 * start in a profile here; see the layer-file A/B in BENCHMARKS.md),
 * which the command's first logger would otherwise do on the main thread; the main thread's first logger waits for it
 * if it comes sooner.
 */
public final class NativeCodecPreload {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private NativeCodecPreload() {
    }

    /** Starts the loads unless they were started before; returns at once. A failure is left to the first real use. */
    public static void start() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread loader = new Thread(NativeCodecPreload::load, "native-codec-load");
        loader.setDaemon(true);
        loader.start();
    }

    private static void load() {
        try {
            LoggerFactory.getILoggerFactory();
            Lz4.factory();
            Native.load();
        } catch (LinkageError | RuntimeException e) {
            Logger log = LoggerFactory.getLogger(NativeCodecPreload.class);
            log.debug("native codec preload failed reason={}", e.toString());
        }
    }
}

package dev.damselfly.rafsmount.fuse.libfuse;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafsmount.fuse.FuseConfig;
import dev.damselfly.rafsmount.fuse.FuseMountException;
import dev.damselfly.rafsmount.fuse.FuseSession;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.fuse.LoopExit;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.FileReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live FUSE mount through libfuse. libfuse's {@code fuse_setup} mounts and builds the filesystem (as {@code fuse_main} does),
 * then the request loop runs on Java threads ({@link FuseWorkers}: multi-threaded, every callback on a thread
 * that stays attached to the JVM) and, when the kernel ends the session, a supervising thread calls
 * {@code fuse_teardown} (as {@code fuse_main} does after its loop). {@link #unmount()} detaches the mount with
 * {@code fusermount -u} (falling back to {@code umount}, then a lazy unmount when the mount is busy) and waits for
 * the loop to end. The mount is read-only, reports image inode numbers ({@code use_ino}), lets the kernel check
 * permissions ({@code default_permissions}), keeps page cache across opens ({@code kernel_cache}) and is mounted
 * through {@code fusermount} with {@code auto_unmount}, whose watchdog unmounts it even when this process is
 * killed with SIGKILL (needs the Debian package {@code fuse} for {@code fusermount}, besides {@code libfuse2}).
 */
public final class LibFuseMount implements FuseSession {
    private static final Logger LOG = LoggerFactory.getLogger(LibFuseMount.class);
    /** How long to wait for the kernel's INIT after starting libfuse, ms. */
    private static final long START_TIMEOUT_MS = 15_000;
    /** How long to wait for the loop thread after unmounting, ms. */
    private static final long STOP_TIMEOUT_MS = 10_000;

    /** How long to wait for the loop after a lazy unmount (it ends only when the mount is no longer used), ms. */
    private static final long LAZY_STOP_WAIT_MS = 1_000;

    private final Path mountpoint;
    private final Thread loop;
    private final CompletableFuture<Integer> exit;
    /** Holds the callbacks libfuse calls (jnr closures must stay reachable while mounted). */
    private final RafsFuseFs fs;
    private boolean unmounted;

    private LibFuseMount(Path mountpoint, Thread loop, CompletableFuture<Integer> exit, RafsFuseFs fs) {
        this.mountpoint = mountpoint;
        this.loop = loop;
        this.exit = exit;
        this.fs = fs;
    }

    /**
     * Mounts {@code image} at {@code mountpoint} and returns once the kernel talks to it; read requests are
     * timed into {@code metrics}.
     *
     * @throws FuseMountException when libfuse cannot be loaded, fails to mount or does not start in time
     */
    public static LibFuseMount mount(RafsImage image, InodeView view, FileReader reader, Path mountpoint, FuseConfig config,
                                    MountMetrics metrics) throws FuseMountException {
        RafsFuseFs fs;
        LibFuseSession lib;
        try {
            fs = new RafsFuseFs(image, view, reader, mountpoint.toString(), metrics);
            lib = LibFuseSession.load();
        } catch (LinkageError | RuntimeException e) {
            throw new FuseMountException(mountpoint, "libfuse.so.2 cannot be loaded (install the Debian package libfuse2): " + e, e);
        }
        List<String> args = new ArrayList<>(List.of("damselfly", "-f"));
        if (config.debug()) {
            args.add("-d");
        }
        args.add(mountpoint.toString());
        String t = Long.toString(config.timeoutSeconds());
        args.add("-o");
        args.add("ro,use_ino,default_permissions,kernel_cache,auto_unmount,fsname=damselfly,subtype=rafs"
                + ",entry_timeout=" + t + ",attr_timeout=" + t + ",negative_timeout=" + t
                + (config.allowOther() ? ",allow_other" : ""));
        String[] argv = args.toArray(String[]::new);
        PointerByReference setupMountpoint = new PointerByReference();
        Pointer fuse = lib.fuse_setup(argv.length, argv, fs.operations(), Struct.size(fs.operations()), setupMountpoint,
                new IntByReference(), null);
        if (fuse == null) {
            throw new FuseMountException(mountpoint, "libfuse's fuse_setup failed (its reason is on stderr)", null);
        }
        Pointer session = lib.fuse_get_session(fuse);
        Pointer channel = lib.fuse_session_next_chan(session, null);
        FuseWorkers workers = new FuseWorkers(lib, session, channel, (int) lib.fuse_chan_bufsize(channel),
                config.maxWorkers(), mountpoint.toString(), () -> detachLazily(mountpoint));
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread loop = new Thread(() -> supervise(lib, fuse, setupMountpoint.getValue(), workers, exit, mountpoint), "fuse-loop " + mountpoint);
        loop.setDaemon(true);
        loop.start();
        try {
            CompletableFuture.anyOf(fs.started(), exit).get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            new LibFuseMount(mountpoint, loop, exit, fs).unmount();
            throw new FuseMountException(mountpoint, "interrupted while mounting", e);
        } catch (ExecutionException e) {
            throw new FuseMountException(mountpoint, "libfuse failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            LibFuseMount s = new LibFuseMount(mountpoint, loop, exit, fs);
            s.unmount();
            throw new FuseMountException(mountpoint, "the kernel did not initialise the mount within " + START_TIMEOUT_MS + " ms", e);
        }
        if (exit.isDone()) {
            throw new FuseMountException(mountpoint, "libfuse's session ended with " + exit.join()
                    + " before the mount started (its reason is on stderr)", null);
        }
        LOG.info("mounted {} at {} (FUSE, read-only, up to {} worker threads)", image.name(), mountpoint, config.maxWorkers());
        return new LibFuseMount(mountpoint, loop, exit, fs);
    }

    /**
     * Loads libfuse's binding and builds one (unused) callback table, which generates the native glue both need; see
     * {@link dev.damselfly.rafsmount.RafsMount#warmUp()}.
     */
    public static void warmUp() {
        LibFuseSession.load();
        new RafsFuseFs(null, null, null, "warm-up", MountMetrics.discarding())
                .operations();
    }

    /** The loop thread's body: runs the workers until the session ends, then lets libfuse unmount and free it. */
    private static void supervise(LibFuseSession lib, Pointer fuse, Pointer setupMountpoint, FuseWorkers workers,
                                  CompletableFuture<Integer> exit, Path mountpoint) {
        Throwable failure = null;
        try {
            workers.start();
            workers.ended().join();
        } catch (Throwable e) {
            failure = e;
        }
        try {
            lib.fuse_teardown(fuse, setupMountpoint); // frees setupMountpoint
        } catch (Throwable e) {
            failure = failure == null ? e : failure;
        }
        LOG.debug("FUSE loop of {} ended: workers={} requests={}", mountpoint, workers.started(),
                workers.handled());
        if (failure == null) {
            exit.complete(0);
        } else {
            exit.completeExceptionally(failure);
        }
    }

    /** After a fatal receive error: detach the mount so the workers still waiting in the kernel wake up and leave. */
    private static void detachLazily(Path mountpoint) {
        String mp = mountpoint.toString();
        if (!run("fusermount", "-u", "-z", mp) && !run("umount", "-l", mp)) {
            LOG.error("could not unmount {}: unmount it by hand (fusermount -u {})", mp, mp);
        }
    }

    @Override
    public Path mountpoint() {
        return mountpoint;
    }

    /**
     * Detaches the mount and waits for libfuse's loop to end; safe to call more than once. Returns whether the
     * loop has ended (only then may the image behind it be closed).
     */
    @Override
    public synchronized boolean unmount() {
        if (unmounted) {
            return !loop.isAlive();
        }
        unmounted = true;
        String mp = mountpoint.toString();
        boolean ok = run("fusermount", "-u", mp) || run("umount", mp);
        long wait = STOP_TIMEOUT_MS;
        if (!ok) {
            LOG.warn("{} is busy: detaching it lazily (libfuse's loop ends when the last open file is closed)", mp);
            ok = run("fusermount", "-u", "-z", mp) || run("umount", "-l", mp);
            wait = LAZY_STOP_WAIT_MS;
        }
        if (!ok) {
            LOG.error("could not unmount {}: unmount it by hand (fusermount -u {})", mp, mp);
            return false;
        }
        return LoopExit.afterUnmount(exit, mp, wait);
    }

    /** Blocks until libfuse's loop ends (after {@link #unmount()} or an external unmount). */
    @Override
    public void awaitExit() throws InterruptedException {
        LoopExit.await(exit, mountpoint);
    }

    /** Whether libfuse's loop is still running. */
    @Override
    public boolean running() {
        return loop.isAlive();
    }

    @Override
    public FuseTransport transport() {
        return FuseTransport.LIBFUSE;
    }

    private static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return false;
            }
            if (p.exitValue() != 0) {
                LOG.debug("{} exited {}: {}", String.join(" ", cmd), p.exitValue(), out);
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            LOG.debug("{} failed: {}", String.join(" ", cmd), e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafsmount.fuse.FuseConfig;
import dev.damselfly.rafsmount.fuse.FuseMountException;
import dev.damselfly.rafsmount.fuse.FuseSession;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.fuse.LoopExit;
import dev.damselfly.rafsmount.fuse.MountTable;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.FileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One live mount served by Damselfly's own FUSE protocol implementation: opens {@code /dev/fuse}, mounts it with
 * {@code mount(2)} (read-only, {@code nosuid}, {@code nodev}, {@code default_permissions}; type {@code fuse.rafs},
 * source {@code damselfly}), answers the kernel's requests on {@link KernelWorkers} through {@link RafsRequests},
 * and keeps an {@link UnmountWatchdog} that unmounts it should this process be killed. {@link #unmount()} calls
 * {@code umount2(2)} (lazily when the mount is busy) and waits for the workers to leave.
 */
public final class KernelMount implements FuseSession {
    private static final Logger LOG = LoggerFactory.getLogger(KernelMount.class);
    /** How long to wait for the kernel's INIT after mounting, ms. */
    private static final long START_TIMEOUT_MS = 15_000;
    /** How long to wait for the workers after unmounting, ms. */
    private static final long STOP_TIMEOUT_MS = 10_000;
    /** How long to wait for the workers after a lazy unmount (they leave only once the mount is unused), ms. */
    private static final long LAZY_STOP_WAIT_MS = 1_000;
    /**
     * Readahead window set on the mount's backing device once it is up, KiB: the kernel starts a FUSE mount at
     * 128 KiB (and INIT can only lower it), which splits sequential reads into 128 KiB requests although a request
     * may carry 1 MiB ({@link RafsRequests#MAX_READ}).
     */
    static final int READ_AHEAD_KIB = 1024;
    /** {@code EBUSY}. */
    private static final int EBUSY = 16;
    /** {@code EINVAL}: not a mount point (any more). */
    private static final int EINVAL = 22;

    private final Path mountpoint;
    private final CompletableFuture<Void> exit;
    private final CompletableFuture<UnmountWatchdog> watchdog;
    private final AtomicReference<UringQueues> uring;
    private boolean unmounted;

    private KernelMount(Path mountpoint, CompletableFuture<Void> exit, CompletableFuture<UnmountWatchdog> watchdog,
                        AtomicReference<UringQueues> uring) {
        this.mountpoint = mountpoint;
        this.exit = exit;
        this.watchdog = watchdog;
        this.uring = uring;
    }

    /**
     * Mounts {@code image} at {@code mountpoint} and returns once the kernel talks to it; read requests are timed
     * into {@code metrics}.
     *
     * @throws FuseMountException when {@code /dev/fuse} cannot be opened, {@code mount(2)} fails (no
     *                             CAP_SYS_ADMIN) or the kernel does not start the session in time
     */
    public static KernelMount mount(RafsImage image, InodeView view, FileReader reader, Path mountpoint, FuseConfig config,
                                    MountMetrics metrics) throws FuseMountException {
        String label = mountpoint.toString();
        RafsRequests requests = new RafsRequests(image, view, reader, metrics, config.timeoutSeconds(), config.debug(), label);
        // started first, so that its process starts while this thread mounts and answers INIT
        CompletableFuture<UnmountWatchdog> watchdog = UnmountWatchdog.startInBackground(mountpoint);
        DevFuse device;
        try {
            device = DevFuse.open();
        } catch (IOException | LinkageError e) {
            UnmountWatchdog.stop(watchdog);
            throw new FuseMountException(mountpoint, e.getMessage(), e);
        }
        try {
            device.mount(mountpoint, "damselfly", "rafs", view.uid(), view.gid(), config.allowOther());
        } catch (IOException e) {
            device.close();
            UnmountWatchdog.stop(watchdog);
            throw new FuseMountException(mountpoint, e.getMessage(), e);
        }
        Runnable onFatal = () -> DevFuse.unmount(mountpoint, true);
        KernelWorkers workers = new KernelWorkers(device, requests, config.maxWorkers(), label, onFatal);
        // the rings' workers, once INIT has accepted FUSE over io_uring; until then nothing to wait for
        AtomicReference<CompletableFuture<Void>> ringsEnded = new AtomicReference<>(CompletableFuture.completedFuture(null));
        AtomicReference<UringQueues> uring = new AtomicReference<>();
        CompletableFuture<Void> exit = workers.ended().handle((v, e) -> null).thenCompose(v -> ringsEnded.get())
                .handle((v, e) -> {
                    device.close();
                    UringQueues u = uring.get();
                    LOG.debug("FUSE loop of {} ended: workers={} requests={} ring workers={} ring requests={}", label,
                            workers.started(), workers.handled(), u == null ? 0 : u.started(), u == null ? 0 : u.handled());
                    return null;
                });
        requests.wantUring(config.transport() == FuseTransport.KERNEL_URING && uringUsable(label));
        KernelMount session = new KernelMount(mountpoint, exit, watchdog, uring);
        workers.start();
        try {
            CompletableFuture.anyOf(requests.started(), exit).get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            session.unmount();
            throw new FuseMountException(mountpoint, "interrupted while mounting", e);
        } catch (ExecutionException e) {
            session.unmount();
            throw new FuseMountException(mountpoint, "the kernel refused the FUSE session: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            session.unmount();
            throw new FuseMountException(mountpoint, "the kernel did not initialise the mount within " + START_TIMEOUT_MS + " ms", e);
        }
        if (!requests.started().isDone()) {
            session.unmount();
            throw new FuseMountException(mountpoint, "the FUSE session ended before the mount started", null);
        }
        String rings = "";
        if (requests.uringAccepted()) {
            try {
                int queues = UringQueues.possibleCpus();
                UringQueues u = UringQueues.start(device, requests, queues, config.maxWorkers(), label, onFatal);
                uring.set(u);
                ringsEnded.set(u.ended());
                rings = ", over io_uring: " + queues + " queues";
            } catch (IOException | RuntimeException e) {
                LOG.warn("mount={} FUSE over io_uring not started, requests stay on /dev/fuse: {}", label, e.toString());
            }
        } else if (config.transport() == FuseTransport.KERNEL_URING) {
            LOG.warn("mount={} the kernel does not offer FUSE over io_uring (it needs Linux 6.14+ with CONFIG_FUSE_IO_URING "
                    + "and /sys/module/fuse/parameters/enable_uring set to 1): requests stay on /dev/fuse", label);
        }
        raiseReadAhead(mountpoint);
        LOG.info("mounted {} at {} (FUSE kernel protocol{}, read-only, up to {} worker threads)", image.name(), mountpoint,
                rings, config.maxWorkers());
        return session;
    }

    /**
     * Whether this process may set up an io_uring (a kernel with {@code kernel.io_uring_disabled} set, or a seccomp
     * profile such as a container runtime's default, refuses): asked before INIT, so that a mount that cannot use
     * the rings never agrees to them and stays on {@code /dev/fuse}.
     */
    private static boolean uringUsable(String label) {
        try (IoUring probe = IoUring.open(DevFuse.libc(), 1)) {
            return true;
        } catch (IOException e) {
            LOG.warn("mount={} FUSE over io_uring not used, requests stay on /dev/fuse: {}", label, e.getMessage());
            return false;
        }
    }

    /**
     * Writes {@link #READ_AHEAD_KIB} to the mount's {@code /sys/class/bdi/MAJOR:MINOR/read_ahead_kb}; a failure only
     * costs speed, so it is logged and the mount goes on.
     */
    private static void raiseReadAhead(Path mountpoint) {
        try {
            Optional<String> device = MountTable.deviceOf(mountpoint);
            if (device.isEmpty()) {
                LOG.warn("readahead of {} stays at the kernel's default: not found in /proc/self/mountinfo", mountpoint);
                return;
            }
            Files.writeString(Path.of("/sys/class/bdi", device.get(), "read_ahead_kb"), Integer.toString(READ_AHEAD_KIB));
        } catch (IOException e) {
            LOG.warn("readahead of {} stays at the kernel's default: {}", mountpoint, e.toString());
        }
    }

    /** Loads the C library binding once without mounting anything (see {@code RafsMount.warmUp()}). */
    public static void warmUp() {
        DevFuse.libc();
    }

    @Override
    public Path mountpoint() {
        return mountpoint;
    }

    @Override
    public synchronized boolean unmount() {
        if (unmounted) {
            return exit.isDone();
        }
        unmounted = true;
        int err = DevFuse.unmount(mountpoint, false);
        long wait = STOP_TIMEOUT_MS;
        if (err == EBUSY) {
            LOG.warn("{} is busy: detaching it lazily (its requests end when the last open file is closed)", mountpoint);
            err = DevFuse.unmount(mountpoint, true);
            wait = LAZY_STOP_WAIT_MS;
        }
        UnmountWatchdog.stop(watchdog);
        if (err != 0 && err != EINVAL) {
            LOG.error("could not unmount {} (errno {}): unmount it by hand (umount -l {})", mountpoint, err, mountpoint);
            return false;
        }
        return LoopExit.afterUnmount(exit, mountpoint, wait);
    }

    @Override
    public void awaitExit() throws InterruptedException {
        LoopExit.await(exit, mountpoint);
    }

    @Override
    public boolean running() {
        return !exit.isDone();
    }

    @Override
    public FuseTransport transport() {
        return uring.get() == null ? FuseTransport.KERNEL : FuseTransport.KERNEL_URING;
    }

    @Override
    public long ringRequests() {
        UringQueues u = uring.get();
        return u == null ? 0 : u.handled();
    }
}

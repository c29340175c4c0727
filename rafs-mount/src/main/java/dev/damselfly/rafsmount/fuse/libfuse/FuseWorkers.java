package dev.damselfly.rafsmount.fuse.libfuse;

import dev.damselfly.rafsmount.fuse.FuseWorkerPool;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import ru.serce.jnrfuse.ErrorCodes;

/**
 * libfuse's multi-threaded request loop, run on the Java threads of a {@link FuseWorkerPool}: each worker receives
 * a request from the session's channel and dispatches it, so the filesystem callbacks run on threads that stay
 * attached to the JVM for their whole life. (libfuse's own {@code fuse_loop_mt} runs them on native threads it
 * starts and ends as load changes; jffi then attaches and detaches such a thread around each of its first 1,000
 * callbacks, which costs more than most callbacks themselves.) A receive of 0 bytes means the session has ended
 * (unmounted).
 */
final class FuseWorkers extends FuseWorkerPool {
    private static final int EINTR = ErrorCodes.EINTR();
    private static final int EAGAIN = ErrorCodes.EAGAIN();

    private final LibFuseSession lib;
    private final Pointer session;
    private final Pointer channel;
    private final int bufferBytes;
    private final Runnable onFatal;
    private final Runtime runtime = Runtime.getSystemRuntime();

    /**
     * @param bufferBytes receive buffer per worker, bytes ({@code fuse_chan_bufsize})
     * @param maxWorkers  most workers at once, threads
     * @param label       the mount point, for thread names and logs
     * @param onFatal     run once by a worker whose receive failed for good (the session is marked ended; the
     *                    other workers only wake when the mount goes away, so this should unmount)
     */
    FuseWorkers(LibFuseSession lib, Pointer session, Pointer channel, int bufferBytes, int maxWorkers, String label,
                Runnable onFatal) {
        super(maxWorkers, label);
        this.lib = lib;
        this.session = session;
        this.channel = channel;
        this.bufferBytes = bufferBytes;
        this.onFatal = onFatal;
    }

    @Override
    protected Receiver newReceiver() {
        Pointer buf = Memory.allocateDirect(runtime, bufferBytes);
        Pointer chp = Memory.allocateDirect(runtime, runtime.addressSize());
        chp.putPointer(0, channel);
        return new Receiver() {
            @Override
            public long receive() {
                return lib.fuse_chan_recv(chp, buf, bufferBytes);
            }

            @Override
            public void handle(long length) {
                lib.fuse_session_process(session, buf, (int) length, chp.getPointer(0));
            }
        };
    }

    @Override
    protected Outcome outcome(long status) {
        if (status == 0) {
            return Outcome.END; // unmounted: the session has ended
        }
        return status == -EINTR || status == -EAGAIN ? Outcome.RETRY : Outcome.FAIL;
    }

    @Override
    protected void onFatal() {
        lib.fuse_session_exit(session);
        onFatal.run();
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import dev.damselfly.rafsmount.fuse.FuseWorkerPool;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request loop on {@code /dev/fuse}: each worker thread of the {@link FuseWorkerPool} reads one request,
 * answers it through {@link RafsRequests} and writes the reply, then reads the next. The kernel ending the
 * connection ({@code ENODEV}: unmounted) sends every worker home.
 */
final class KernelWorkers extends FuseWorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWorkers.class);
    /** Receive buffer per worker, bytes: the largest request plus headers. */
    private static final int IN_BYTES = RafsRequests.MAX_WRITE + 4096;
    /** Reply buffer per worker, bytes: the largest READ plus its header. */
    private static final int OUT_BYTES = FuseAbi.OUT_HEADER + RafsRequests.MAX_READ;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final DevFuse device;
    private final RafsRequests requests;
    private final String label;
    private final Runnable onFatal;

    /**
     * @param maxWorkers most workers at once, threads
     * @param label      the mount point, for thread names and logs
     * @param onFatal    run once by a worker whose read failed for good (the other workers wake only when the mount
     *                   goes away, so this should unmount)
     */
    KernelWorkers(DevFuse device, RafsRequests requests, int maxWorkers, String label, Runnable onFatal) {
        super(maxWorkers, label);
        this.device = device;
        this.requests = requests;
        this.label = label;
        this.onFatal = onFatal;
    }

    @Override
    protected Receiver newReceiver() {
        Pointer inMem = Memory.allocateDirect(device.runtime(), IN_BYTES);
        Pointer outMem = Memory.allocateDirect(device.runtime(), OUT_BYTES);
        ByteBuffer in = MEMORY.newDirectByteBuffer(inMem.address(), IN_BYTES).order(ByteOrder.nativeOrder());
        ByteBuffer out = MEMORY.newDirectByteBuffer(outMem.address(), OUT_BYTES).order(ByteOrder.nativeOrder());
        return new Receiver() {
            @Override
            public long receive() {
                return device.read(inMem, IN_BYTES);
            }

            @Override
            public void handle(long length) {
                int opcode = in.getInt(4);
                int len = requests.answer(in, (int) length, out);
                if (len > 0) {
                    int err = device.write(outMem, len);
                    if (err == 0) {
                        requests.replied(opcode);
                    } else if (err != -FuseAbi.ENOENT) { // ENOENT: the request was interrupted meanwhile
                        LOG.debug("mount={} writing a reply failed with errno {}", label, -err);
                    }
                }
            }
        };
    }

    @Override
    protected Outcome outcome(long status) {
        if (status == -FuseAbi.ENODEV) {
            return Outcome.END; // unmounted: the connection has ended
        }
        return status == -FuseAbi.EINTR || status == -FuseAbi.EAGAIN || status == -FuseAbi.ENOENT ? Outcome.RETRY : Outcome.FAIL;
    }

    @Override
    protected void onFatal() {
        onFatal.run();
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import dev.damselfly.rafsmount.fuse.FuseWorkerPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of one FUSE-over-io_uring queue (one queue per possible CPU: the kernel hands a request to the queue
 * of the CPU its caller runs on). Each worker owns an io_uring and one ring entry of this queue: a header buffer
 * and a payload buffer registered with the kernel ({@code FUSE_IO_URING_CMD_REGISTER}). The kernel writes a
 * request into them and completes the command; the worker answers it through {@link RafsRequests}, writes the
 * reply into the same buffers and, in one {@code io_uring_enter(2)}, commits it and waits for the next request
 * ({@code FUSE_IO_URING_CMD_COMMIT_AND_FETCH}): one system call per request where {@code /dev/fuse} takes a
 * {@code write(2)} and a {@code read(2)}. As with {@link KernelWorkers}, the pool adds a worker (a ring entry) when
 * every worker of the queue is busy.
 *
 * <p>Layout of the buffers ({@code struct fuse_uring_req_header}, 288 bytes): the FUSE in or out header at 0, the
 * request's operation header ({@code in_args[0]}) at 128, {@code struct fuse_uring_ent_in_out} at 256 (its
 * {@code commit_id} at 264, {@code payload_sz} at 272). The payload holds the request's remaining arguments, or
 * the reply's arguments.
 */
final class UringWorkers extends FuseWorkerPool {
    private static final Logger LOG = LoggerFactory.getLogger(UringWorkers.class);
    /** {@code FUSE_IO_URING_CMD_REGISTER}. */
    static final int CMD_REGISTER = 1;
    /** {@code FUSE_IO_URING_CMD_COMMIT_AND_FETCH}. */
    static final int CMD_COMMIT_AND_FETCH = 2;
    /** {@code sizeof(struct fuse_uring_req_header)}, bytes. */
    static final int RING_HEADER = 288;
    /** Where the operation header starts in the ring header. */
    static final int OP_IN = 128;
    /** Room for the operation header, bytes ({@code FUSE_URING_OP_IN_OUT_SZ}). */
    static final int OP_IN_BYTES = 128;
    static final int COMMIT_ID = 264;
    static final int PAYLOAD_SIZE = 272;
    /** Submission entries per worker ring: one command in flight, with room. */
    private static final int RING_ENTRIES = 2;
    /** Payload buffer per ring entry, bytes: the kernel asks for {@code max_pages} pages (the largest READ). */
    static final int PAYLOAD_BYTES = RafsRequests.MAX_READ;
    private static final int IN_BYTES = RafsRequests.MAX_WRITE + 4096;
    /** What {@link Entry#receive()} returns when its entry could not be set up or registered (never served). */
    private static final long UNREGISTERED = Long.MIN_VALUE;
    private static final int ENOTCONN = 107;
    private static final int ECONNABORTED = 103;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final DevFuse device;
    private final RafsRequests requests;
    private final int queue;
    private final String label;
    private final Runnable onFatal;

    /**
     * @param queue      the queue (CPU) index this pool's ring entries serve
     * @param maxWorkers most workers (ring entries) of this queue, threads
     * @param label      the mount point, for thread names and logs
     * @param onFatal    run once by a worker whose ring failed for good
     */
    UringWorkers(DevFuse device, RafsRequests requests, int queue, int maxWorkers, String label, Runnable onFatal) {
        super(maxWorkers, label + " q" + queue);
        this.device = device;
        this.requests = requests;
        this.queue = queue;
        this.label = label;
        this.onFatal = onFatal;
    }

    @Override
    protected Receiver newReceiver() {
        IoUring ring;
        try {
            ring = IoUring.open(DevFuse.libc(), RING_ENTRIES);
        } catch (IOException e) {
            LOG.warn("mount={} queue={} a ring entry was not added: {}", label, queue, e.getMessage());
            return new Receiver() { // leaves at once (UNREGISTERED)
                @Override
                public long receive() {
                    return UNREGISTERED;
                }

                @Override
                public void handle(long length) {
                    throw new IllegalStateException("no request can come without a ring");
                }
            };
        }
        return new Entry(ring);
    }

    /**
     * The connection ending is the end; so is a worker whose ring entry never got a request ({@link #UNREGISTERED}:
     * the kernel has this entry nowhere, and until every queue has one it keeps requests on {@code /dev/fuse}).
     * Any other failure of a ring that was serving would strand its queue's requests, so it unmounts.
     */
    @Override
    protected Outcome outcome(long status) {
        int errno = (int) -status;
        return status == UNREGISTERED || errno == ENOTCONN || errno == ECONNABORTED || errno == FuseAbi.ENODEV
                ? Outcome.END : Outcome.FAIL;
    }

    @Override
    protected void onFatal() {
        onFatal.run();
    }

    /** One worker's ring and its ring entry's buffers. */
    private final class Entry implements Receiver {
        private final IoUring ring;
        private final Pointer headerMem;
        private final Pointer replyMem;
        private final Pointer inMem;
        private final Pointer iovec;
        private final ByteBuffer header;
        /** The reply as {@link RafsRequests#answer} writes it: the out header, then the payload buffer. */
        private final ByteBuffer reply;
        private final ByteBuffer payload;
        private final ByteBuffer in;
        private int nextCommand = CMD_REGISTER;
        private long commitId;
        /** Whether the kernel has handed this entry a request (it was registered and the ring may be serving). */
        private boolean served;
        /** Whether the request just received did not add up (answered EIO). */
        private boolean malformed;

        Entry(IoUring ring) {
            this.ring = ring;
            jnr.ffi.Runtime runtime = device.runtime();
            headerMem = Memory.allocateDirect(runtime, RING_HEADER, true);
            replyMem = Memory.allocateDirect(runtime, FuseAbi.OUT_HEADER + PAYLOAD_BYTES);
            inMem = Memory.allocateDirect(runtime, IN_BYTES);
            iovec = Memory.allocateDirect(runtime, 32, true);
            header = MEMORY.newDirectByteBuffer(headerMem.address(), RING_HEADER).order(ByteOrder.nativeOrder());
            reply = MEMORY.newDirectByteBuffer(replyMem.address(), FuseAbi.OUT_HEADER + PAYLOAD_BYTES)
                    .order(ByteOrder.nativeOrder());
            payload = MEMORY.newDirectByteBuffer(replyMem.address() + FuseAbi.OUT_HEADER, PAYLOAD_BYTES)
                    .order(ByteOrder.nativeOrder());
            in = MEMORY.newDirectByteBuffer(inMem.address(), IN_BYTES).order(ByteOrder.nativeOrder());
            iovec.putLong(0, headerMem.address());
            iovec.putLong(8, RING_HEADER);
            iovec.putLong(16, replyMem.address() + FuseAbi.OUT_HEADER);
            iovec.putLong(24, PAYLOAD_BYTES);
        }

        @Override
        public long receive() {
            while (true) {
                int command = nextCommand;
                if (command != 0) {
                    int at = command == CMD_REGISTER
                            ? ring.queueCommand(device.fd(), CMD_REGISTER, iovec.address(), 2, command)
                            : ring.queueCommand(device.fd(), CMD_COMMIT_AND_FETCH, 0, 0, command);
                    ByteBuffer sqes = ring.entries();
                    sqes.putLong(at + IoUring.SQE_CMD + 8, command == CMD_REGISTER ? 0 : commitId);
                    sqes.putShort(at + IoUring.SQE_CMD + 16, (short) queue);
                    nextCommand = 0;
                }
                int err = ring.submitAndWait();
                if (err < 0) {
                    LOG.warn("mount={} queue={} io_uring_enter failed with errno {}", label, queue, -err);
                    close();
                    return served ? err : UNREGISTERED;
                }
                while (ring.takeCompletion()) {
                    int res = ring.result();
                    int sent = (int) ring.userData();
                    if (res == -FuseAbi.EINTR || res == -FuseAbi.EAGAIN) {
                        nextCommand = sent; // the kernel asks to send it again
                        continue;
                    }
                    if (res < 0) {
                        if (sent == CMD_COMMIT_AND_FETCH && -res != ENOTCONN && -res != ECONNABORTED) {
                            // the reply was refused (e.g. its request was aborted meanwhile): the entry is no
                            // longer waiting, so register it afresh
                            LOG.debug("mount={} queue={} commit failed with errno {}: registering the entry again",
                                    label, queue, -res);
                            nextCommand = CMD_REGISTER;
                            continue;
                        }
                        if (-res != ENOTCONN && -res != ECONNABORTED) {
                            LOG.warn("mount={} queue={} FUSE io_uring {} failed with errno {}", label, queue,
                                    sent == CMD_REGISTER ? "REGISTER" : "COMMIT_AND_FETCH", -res);
                        }
                        close();
                        return served ? res : UNREGISTERED;
                    }
                    served = true;
                    return assemble();
                }
            }
        }

        /**
         * Lays the request out as {@code /dev/fuse} delivers it (in header, operation header, arguments) in
         * {@link #in}; returns its length (a request that does not add up is marked {@link #malformed}).
         */
        private long assemble() {
            int length = header.getInt(0);
            int payloadSize = header.getInt(PAYLOAD_SIZE);
            commitId = header.getLong(COMMIT_ID);
            int opSize = length - FuseAbi.IN_HEADER - payloadSize;
            if (opSize < 0 || opSize > OP_IN_BYTES || payloadSize > PAYLOAD_BYTES || length > IN_BYTES) {
                LOG.warn("mount={} queue={} request of {} bytes with a payload of {} does not fit: answering EIO",
                        label, queue, length, payloadSize);
                malformed = true;
                in.put(0, header, 0, FuseAbi.IN_HEADER);
                return FuseAbi.IN_HEADER;
            }
            in.put(0, header, 0, FuseAbi.IN_HEADER);
            in.put(FuseAbi.IN_HEADER, header, OP_IN, opSize);
            in.put(FuseAbi.IN_HEADER + opSize, payload, 0, payloadSize);
            return length;
        }

        @Override
        public void handle(long length) {
            int opcode = in.getInt(4);
            int len = malformed ? error(in.getLong(8), -FuseAbi.EIO) : requests.answer(in, (int) length, reply);
            malformed = false;
            if (len <= 0) { // a request without reply cannot come through the ring; never leave the entry hanging
                len = error(in.getLong(8), -FuseAbi.ENOSYS);
            }
            header.put(0, reply, 0, FuseAbi.OUT_HEADER);
            header.putInt(PAYLOAD_SIZE, len - FuseAbi.OUT_HEADER);
            nextCommand = CMD_COMMIT_AND_FETCH;
            requests.replied(opcode);
        }

        private int error(long unique, int errno) {
            reply.putInt(0, FuseAbi.OUT_HEADER);
            reply.putInt(4, errno);
            reply.putLong(8, unique);
            return FuseAbi.OUT_HEADER;
        }

        private void close() {
            ring.close();
        }
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One io_uring instance ({@code io_uring_setup(2)}) with 128-byte submission entries ({@code IORING_SETUP_SQE128}),
 * the kind {@code IORING_OP_URING_CMD} to {@code /dev/fuse} needs, owned by one thread: that thread queues commands
 * ({@link #queueCommand}), submits them and waits for completions in one {@code io_uring_enter(2)}
 * ({@link #submitAndWait()}) and takes completions ({@link #takeCompletion()}). The rings are mapped from the
 * kernel ({@code mmap(2)} of the ring file descriptor) and read and written with acquire/release ordering on the
 * indexes the kernel shares.
 */
final class IoUring implements AutoCloseable {
    /** {@code __NR_io_uring_setup}, the same on x86_64 and aarch64. */
    private static final long SYS_IO_URING_SETUP = 425;
    /** {@code __NR_io_uring_enter}. */
    private static final long SYS_IO_URING_ENTER = 426;
    private static final int IORING_SETUP_SQE128 = 1 << 10;
    private static final int IORING_FEAT_SINGLE_MMAP = 1;
    private static final int IORING_ENTER_GETEVENTS = 1;
    private static final long IORING_OFF_SQ_RING = 0;
    private static final long IORING_OFF_SQES = 0x10000000L;
    /** {@code IORING_OP_URING_CMD}. */
    private static final int OP_URING_CMD = 46;
    /** Bytes of one submission entry with {@code IORING_SETUP_SQE128}. */
    static final int SQE_BYTES = 128;
    /** Where the 80-byte command area starts in a 128-byte entry. */
    static final int SQE_CMD = 48;
    /** Bytes of one completion entry (without {@code IORING_SETUP_CQE32}). */
    private static final int CQE_BYTES = 16;
    /** Bytes of {@code struct io_uring_params}. */
    private static final int PARAMS_BYTES = 120;
    private static final int PROT_READ_WRITE = 1 | 2;
    /** {@code MAP_SHARED | MAP_POPULATE}. */
    private static final int MAP_SHARED_POPULATE = 0x01 | 0x8000;
    private static final int EINTR = 4;
    private static final MemoryIO MEMORY = MemoryIO.getInstance();
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final LibC c;
    private final Runtime runtime;
    private final int fd;
    private final long ringAddress;
    private final long ringBytes;
    private final long sqesAddress;
    private final long sqesBytes;
    private final ByteBuffer ring;
    private final ByteBuffer sqes;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int sqArray;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    private int result;
    private long userData;
    private boolean closed;

    private IoUring(LibC c, Runtime runtime, int fd, long ringAddress, long ringBytes, long sqesAddress, long sqesBytes,
                    Pointer params) {
        this.c = c;
        this.runtime = runtime;
        this.fd = fd;
        this.ringAddress = ringAddress;
        this.ringBytes = ringBytes;
        this.sqesAddress = sqesAddress;
        this.sqesBytes = sqesBytes;
        this.ring = MEMORY.newDirectByteBuffer(ringAddress, (int) ringBytes).order(ByteOrder.nativeOrder());
        this.sqes = MEMORY.newDirectByteBuffer(sqesAddress, (int) sqesBytes).order(ByteOrder.nativeOrder());
        this.sqHead = params.getInt(40);
        this.sqTail = params.getInt(44);
        this.sqMask = ring.getInt(params.getInt(48));
        this.sqArray = params.getInt(64);
        this.cqHead = params.getInt(80);
        this.cqTail = params.getInt(84);
        this.cqMask = ring.getInt(params.getInt(88));
        this.cqes = params.getInt(100);
    }

    /**
     * Sets up a ring of at least {@code entries} submission entries (the kernel rounds up to a power of two).
     *
     * @throws IOException when the kernel refuses (no io_uring: too old, disabled by {@code kernel.io_uring_disabled},
     *                     or blocked by a seccomp profile) or mapping the rings fails
     */
    static IoUring open(LibC c, int entries) throws IOException {
        Runtime runtime = Runtime.getRuntime(c);
        Pointer params = Memory.allocateDirect(runtime, PARAMS_BYTES, true);
        params.putInt(8, IORING_SETUP_SQE128);
        int fd = (int) c.syscall(SYS_IO_URING_SETUP, entries, params);
        if (fd < 0) {
            throw new IOException("io_uring_setup failed: errno " + LastError.getLastError(runtime));
        }
        int sqEntries = params.getInt(0);
        int cqEntries = params.getInt(4);
        int features = params.getInt(20);
        long sqRingBytes = params.getInt(64) + 4L * sqEntries;
        long cqRingBytes = params.getInt(100) + (long) CQE_BYTES * cqEntries;
        long ringBytes = Math.max(sqRingBytes, cqRingBytes);
        long sqesBytes = (long) SQE_BYTES * sqEntries;
        if ((features & IORING_FEAT_SINGLE_MMAP) == 0) {
            c.close(fd);
            throw new IOException("io_uring without IORING_FEAT_SINGLE_MMAP (a kernel before 5.4) is not supported");
        }
        // one mapping serves both rings (IORING_FEAT_SINGLE_MMAP)
        long ring = c.mmap(null, ringBytes, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, IORING_OFF_SQ_RING);
        if (ring == -1) {
            int errno = LastError.getLastError(runtime);
            c.close(fd);
            throw new IOException("mapping the io_uring rings failed: errno " + errno);
        }
        long sqes = c.mmap(null, sqesBytes, PROT_READ_WRITE, MAP_SHARED_POPULATE, fd, IORING_OFF_SQES);
        if (sqes == -1) {
            int errno = LastError.getLastError(runtime);
            c.munmap(ring, ringBytes);
            c.close(fd);
            throw new IOException("mapping the io_uring submission entries failed: errno " + errno);
        }
        return new IoUring(c, runtime, fd, ring, ringBytes, sqes, sqesBytes, params);
    }

    /**
     * Queues one {@code IORING_OP_URING_CMD} on {@code targetFd}; the caller then fills its command area
     * ({@link #SQE_CMD} onwards in the returned buffer, at the returned offset) before {@link #submitAndWait()}.
     *
     * @param commandOp the command ({@code sqe->cmd_op})
     * @param address   {@code sqe->addr} (e.g. an iovec array), 0 for none
     * @param length    {@code sqe->len}
     * @param userData  returned with the completion
     * @return the offset of the entry in {@link #entries()}
     */
    int queueCommand(int targetFd, int commandOp, long address, int length, long userData) {
        int tail = ring.getInt(sqTail);
        int index = tail & sqMask;
        int at = index * SQE_BYTES;
        for (int i = 0; i < SQE_BYTES; i += 8) {
            sqes.putLong(at + i, 0);
        }
        sqes.put(at, (byte) OP_URING_CMD);
        sqes.putInt(at + 4, targetFd);
        sqes.putInt(at + 8, commandOp);
        sqes.putLong(at + 16, address);
        sqes.putInt(at + 24, length);
        sqes.putLong(at + 32, userData);
        ring.putInt(sqArray + 4 * index, index);
        INT.setRelease(ring, sqTail, tail + 1);
        return at;
    }

    /** The submission entries, for filling the command area of a queued one. */
    ByteBuffer entries() {
        return sqes;
    }

    /**
     * Submits what is queued and waits until at least one completion is there; returns 0, or minus the errno (a
     * signal interrupting the wait is retried here).
     */
    int submitAndWait() {
        while (true) {
            int unsubmitted = ring.getInt(sqTail) - (int) INT.getAcquire(ring, sqHead);
            if (unsubmitted == 0 && hasCompletion()) {
                return 0;
            }
            long n = c.syscall(SYS_IO_URING_ENTER, fd, unsubmitted, 1, IORING_ENTER_GETEVENTS, null, 0);
            if (n >= 0) {
                if (hasCompletion()) {
                    return 0;
                }
                continue;
            }
            int errno = LastError.getLastError(runtime);
            if (errno != EINTR) {
                return -errno;
            }
        }
    }

    private boolean hasCompletion() {
        return ring.getInt(cqHead) != (int) INT.getAcquire(ring, cqTail);
    }

    /**
     * Takes the oldest completion, whose {@code res} and {@code user_data} {@link #result()} and {@link #userData()}
     * then return; false when there is none.
     */
    boolean takeCompletion() {
        int head = ring.getInt(cqHead);
        if (head == (int) INT.getAcquire(ring, cqTail)) {
            return false;
        }
        int at = cqes + (head & cqMask) * CQE_BYTES;
        userData = ring.getLong(at);
        result = ring.getInt(at + 8);
        INT.setRelease(ring, cqHead, head + 1);
        return true;
    }

    /** The last taken completion's {@code res}: 0 or more, or minus an errno. */
    int result() {
        return result;
    }

    /** The last taken completion's {@code user_data}. */
    long userData() {
        return userData;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            c.munmap(sqesAddress, sqesBytes);
            c.munmap(ringAddress, ringBytes);
            c.close(fd);
        }
    }
}

package dev.damselfly.exchange.vortex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers that receive piece bodies, kept for the next piece instead of being freed. A piece is usually 4 MiB
 * and Netty's allocators hand out buffers that large as fresh memory each time, which the kernel must fault in and
 * zero page by page on the first write; a kept buffer is already resident. Each buffer's usable part starts on a
 * {@value #ALIGNMENT}-byte boundary, so the piece store writes it with direct I/O as it is, without first copying it
 * into an aligned staging buffer.
 *
 * <p>Thread-safe. Buffers that would take the idle set above {@code maxIdleBytes} are freed at once (explicitly, not
 * left to the garbage collector), so the set never holds more than that however many pieces were in flight. After
 * {@link #close()} every buffer given back is freed.
 */
final class PieceBodyBuffers {
    /** Start address alignment of every lease's bytes, bytes: 4096 (the block size direct I/O needs on ext4/xfs). */
    static final int ALIGNMENT = 4096;
    /** Bytes of idle buffers kept by default: 32 MiB (eight 4 MiB pieces, a task's concurrent piece count). */
    static final long DEFAULT_MAX_IDLE_BYTES = 32L << 20;
    /** Buffers are allocated in multiples of this, bytes: 64 KiB (so a task's shorter last piece fits a full one). */
    private static final int GRANULE = 64 << 10;
    /** Longest body, bytes: 1 GiB (Dragonfly's piece length is at most 64 MiB). */
    static final int MAX_LENGTH = 1 << 30;

    private final ByteBufAllocator allocator = new UnpooledByteBufAllocator(true);
    private final ConcurrentLinkedDeque<Lease> idle = new ConcurrentLinkedDeque<>();
    private final AtomicLong idleBytes = new AtomicLong();
    private final long maxIdleBytes;
    private volatile boolean closed;

    /** @param maxIdleBytes bytes of idle buffers kept for reuse, at most; 0 keeps none */
    PieceBodyBuffers(long maxIdleBytes) {
        if (maxIdleBytes < 0) {
            throw new IllegalArgumentException("maxIdleBytes must be >= 0, got " + maxIdleBytes);
        }
        this.maxIdleBytes = maxIdleBytes;
    }

    /** An empty buffer for a body of {@code length} bytes (its {@link Lease#body()} has exactly that capacity). */
    Lease take(int length) {
        if (length < 0 || length > MAX_LENGTH) {
            throw new IllegalArgumentException("length must be 0.." + MAX_LENGTH + ", got " + length);
        }
        for (Lease l; (l = idle.pollFirst()) != null; ) {
            idleBytes.addAndGet(-l.capacity());
            if (l.capacity() >= length) {
                return l.reuse(length);
            }
            l.free(); // pieces of this client grew (a task with a longer piece length): let the short one go
        }
        int capacity = (length + GRANULE - 1) / GRANULE * GRANULE;
        ByteBuf backing = allocator.directBuffer(capacity + ALIGNMENT, capacity + ALIGNMENT);
        int misalignment = backing.nioBuffer(0, ALIGNMENT).alignmentOffset(0, ALIGNMENT);
        int start = misalignment == 0 ? 0 : ALIGNMENT - misalignment;
        return new Lease(backing, start, capacity).reuse(length);
    }

    /** Takes back a lease from {@link #take}: kept for reuse while the idle set has room, else freed. */
    void give(Lease lease) {
        if (idleBytes.addAndGet(lease.capacity()) <= maxIdleBytes && !closed) {
            idle.addFirst(lease);
            if (closed) {
                freeIdle(); // close() ran meanwhile and may have missed this one
            }
        } else {
            idleBytes.addAndGet(-lease.capacity());
            lease.free();
        }
    }

    /** Bytes held by idle buffers now. */
    long idleBytes() {
        return idleBytes.get();
    }

    /** Frees every idle buffer and every one given back from now on. */
    void close() {
        closed = true;
        freeIdle();
    }

    private void freeIdle() {
        for (Lease l; (l = idle.pollFirst()) != null; ) {
            idleBytes.addAndGet(-l.capacity());
            l.free();
        }
    }

    /**
     * One buffer: {@link #body()} is a view of {@code length} bytes starting on an aligned address, with reader and
     * writer index 0. Owned by one caller between {@link #take} and {@link #give}; never released by that caller.
     */
    static final class Lease {
        private final ByteBuf backing;
        private final int start;
        private final int capacity;
        private ByteBuf body;

        private Lease(ByteBuf backing, int start, int capacity) {
            this.backing = backing;
            this.start = start;
            this.capacity = capacity;
        }

        private Lease reuse(int length) {
            body = backing.slice(start, length).clear();
            return this;
        }

        /** The body buffer: write the piece into it, read it back with {@code nioBuffer()}. */
        ByteBuf body() {
            return body;
        }

        int capacity() {
            return capacity;
        }

        private void free() {
            body = null;
            backing.release();
        }
    }
}

package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Large pieces this process has just written, kept in memory for the readers that come right after a write: a local
 * client streaming a blob while it downloads, a child asking for a piece its parent has just announced. Without it
 * each of them reads the piece back from its content file (where, written with direct I/O, it is not in the page
 * cache) and checks its CRC-32 again. The bytes were checked against the piece's digest before they were written, so
 * serving them needs no second check (like the hot cache's, see {@link ReadVerification}).
 *
 * <p>Pieces above {@link PieceStoreConfig#hotCacheMaxPieceBytes()} land here; the hot cache keeps the small ones.
 * Not Caffeine like the hot cache: its admission policy weighs a new entry against the one it would evict by past
 * use, and a piece just written has none yet, so it would often be turned away exactly when its readers come.
 * Bounded by {@link PieceStoreConfig#recentPiecesBytes()} in all, counting each piece's buffer capacity.
 *
 * <p>Readers that go through a task in order (a local client's stream, the task's SHA-256) say so with a
 * {@link Follower}: a kept piece among the {@value #AWAIT_PIECES} from a follower's place on is <em>awaited</em>. To
 * make room, pieces nobody awaits go first, least recently used first; awaited pieces are never dropped for a newcomer,
 * which is simply not kept when only awaited pieces are left. A download that runs ahead of its readers thus keeps the
 * pieces they will read next, and only the ones beyond the bound are read back from the file, instead of every piece
 * being dropped just before its reader comes (plain LRU drops the oldest pieces, the very ones the readers need next).
 * Pieces further ahead (a peer-to-peer download fetches rarest first, far from the reader's place) are not awaited:
 * they go least recently used first, which keeps the newest for the children that ask for a piece just announced.
 *
 * <p>Pieces sit in direct buffers (a socket write sends them without another copy), allocated as needed in power-of-two
 * sizes and reused: a buffer returns to the pool once the set has dropped its piece and the last reader has released
 * it. A reader holds a piece through a {@link Held}, which it must close. When every buffer is held by readers of
 * pieces already dropped, a new piece is simply not kept.
 *
 * <p>Thread-safe: one lock guards the map, the pool and the reference counts; the copy into a buffer happens outside
 * it.
 */
final class RecentPieces {
    /** Smallest buffer allocated, bytes: 64 KiB. */
    private static final int MIN_BUFFER_BYTES = 64 << 10;
    /** Largest piece kept, bytes: 1 GiB (its buffer size is still an int). */
    private static final int MAX_PIECE_BYTES = 1 << 30;
    /**
     * Pieces from a follower's place on that it awaits: 8 (32 MiB of 4 MiB pieces, as far as an origin read runs ahead
     * of its readers by default).
     */
    static final int AWAIT_PIECES = 8;

    private final long maxBytes;
    private final Object lock = new Object();
    /** Pieces kept, least recently used first. */
    private final LinkedHashMap<PieceKey, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Free buffers by capacity. */
    private final Map<Integer, ArrayDeque<ByteBuffer>> free = new HashMap<>();
    /** Followers by task id. */
    private final Map<String, List<Follower>> followers = new HashMap<>();
    /** Capacity of the buffers of {@link #entries}. */
    private long keptBytes;
    /** Capacity of every buffer allocated and not let go: kept, held by readers after being dropped, or free. */
    private long allocatedBytes;

    /** @param maxBytes bytes of direct memory at most; 0 keeps nothing */
    RecentPieces(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** A piece held for reading; {@link #close()} releases it (once; later calls do nothing). */
    static final class Held implements AutoCloseable {
        private final RecentPieces owner;
        private final Entry entry;
        private boolean closed;

        private Held(RecentPieces owner, Entry entry) {
            this.owner = owner;
            this.entry = entry;
        }

        /** The piece's bytes, a read-only buffer of its own (position 0, limit the piece length). */
        ByteBuffer bytes() {
            return entry.bytes.asReadOnlyBuffer();
        }

        /** Bytes in the piece. */
        int length() {
            return entry.bytes.limit();
        }

        @Override
        public void close() {
            synchronized (owner.lock) {
                if (closed) {
                    return;
                }
                closed = true;
                owner.release(entry);
            }
        }
    }

    private static final class Entry {
        final ByteBuffer bytes;
        /** The set's own reference while the piece is kept, plus one per open {@link Held}. */
        int refs = 1;

        Entry(ByteBuffer bytes) {
            this.bytes = bytes;
        }
    }

    /**
     * Keeps a copy of {@code bytes} (position to limit, left as they are) under {@code key}, when there is room;
     * answers whether it was kept.
     */
    boolean offer(PieceKey key, ByteBuffer bytes) {
        int length = bytes.remaining();
        if (length > maxBytes || length > MAX_PIECE_BYTES) {
            return false;
        }
        int capacity = capacityFor(length);
        if (capacity > maxBytes) {
            return false;
        }
        ByteBuffer buf;
        synchronized (lock) {
            Entry old = entries.remove(key);
            if (old != null) {
                keptBytes -= old.bytes.capacity();
                release(old);
            }
            if (!evictUntilRoomFor(capacity)) {
                return false; // only awaited pieces left: they stay, this one is read from the file when needed
            }
            buf = take(capacity);
            if (buf == null) {
                return false;
            }
        }
        buf.clear();
        buf.put(bytes.duplicate()).flip();
        synchronized (lock) {
            Entry entry = new Entry(buf);
            Entry replaced = entries.put(key, entry);
            keptBytes += capacity;
            if (replaced != null) { // offered twice at once: the later copy stays
                keptBytes -= replaced.bytes.capacity();
                release(replaced);
            }
            // no eviction needed here: every kept buffer came from take(), which never lets allocatedBytes, and so
            // keptBytes, pass maxBytes
        }
        return true;
    }

    /** The piece under {@code key}, held until the answer is closed; null when it is not kept. */
    Held get(PieceKey key) {
        synchronized (lock) {
            Entry e = entries.get(key);
            if (e == null) {
                return null;
            }
            e.refs++;
            return new Held(this, e);
        }
    }

    /** Whether a piece is kept under {@code key}, without counting as a use. */
    boolean contains(PieceKey key) {
        synchronized (lock) {
            return entries.containsKey(key);
        }
    }

    void invalidate(PieceKey key) {
        synchronized (lock) {
            Entry e = entries.remove(key);
            if (e != null) {
                keptBytes -= e.bytes.capacity();
                release(e);
            }
        }
    }

    void invalidateTask(String taskId) {
        synchronized (lock) {
            Iterator<Map.Entry<PieceKey, Entry>> it = entries.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<PieceKey, Entry> e = it.next();
                if (e.getKey().taskId().equals(taskId)) {
                    it.remove();
                    keptBytes -= e.getValue().bytes.capacity();
                    release(e.getValue());
                }
            }
        }
    }

    /** Bytes of the pieces kept (their buffers' capacity). For tests. */
    long keptBytes() {
        synchronized (lock) {
            return keptBytes;
        }
    }

    /** Bytes of direct memory allocated and not let go. For tests. */
    long allocatedBytes() {
        synchronized (lock) {
            return allocatedBytes;
        }
    }

    /** Pieces kept. For tests. */
    int size() {
        synchronized (lock) {
            return entries.size();
        }
    }

    /**
     * Drops pieces no follower awaits, least recently used first, until {@code capacity} more bytes fit; answers
     * whether they fit. Under the lock.
     */
    private boolean evictUntilRoomFor(int capacity) {
        Iterator<Map.Entry<PieceKey, Entry>> it = entries.entrySet().iterator();
        while (keptBytes + capacity > maxBytes && it.hasNext()) {
            Map.Entry<PieceKey, Entry> e = it.next();
            if (awaited(e.getKey())) {
                continue;
            }
            it.remove();
            keptBytes -= e.getValue().bytes.capacity();
            release(e.getValue());
        }
        return keptBytes + capacity <= maxBytes;
    }

    /** Whether a follower of the piece's task has not passed it yet. Under the lock. */
    private boolean awaited(PieceKey key) {
        List<Follower> of = followers.get(key.taskId());
        if (of == null) {
            return false;
        }
        for (Follower f : of) {
            if (f.next <= key.number() && key.number() <= f.last && key.number() - f.next < AWAIT_PIECES) {
                return true;
            }
        }
        return false;
    }

    /**
     * Registers a reader that goes through pieces {@code [first, last]} of a task in order; the pieces it has not
     * passed stay kept ahead of others (see the class comment). Close it when the reader ends.
     */
    Follower follow(String taskId, int first, int last) {
        Follower f = new Follower(this, taskId, first, last);
        synchronized (lock) {
            followers.computeIfAbsent(taskId, k -> new ArrayList<>(2)).add(f);
        }
        return f;
    }

    /** Where a follower stands: its next piece, its last one, and when it last moved ({@link System#nanoTime()}). */
    record Place(int next, int last, long movedNanos) {
    }

    /** Where the task's followers stand, those past their last piece left out; empty when nobody follows the task. */
    List<Place> followerPlaces(String taskId) {
        synchronized (lock) {
            List<Follower> of = followers.get(taskId);
            if (of == null) {
                return List.of();
            }
            List<Place> places = new ArrayList<>(of.size());
            for (Follower f : of) {
                if (f.next <= f.last) {
                    places.add(new Place(f.next, f.last, f.movedNanos));
                }
            }
            return places;
        }
    }

    /** Followers registered and not closed (the {@code recent.followers} gauge). */
    int followerCount() {
        synchronized (lock) {
            return followers.values().stream().mapToInt(List::size).sum();
        }
    }

    /** An in-order reader's place in a task; see {@link #follow}. Thread-safe. */
    static final class Follower implements PieceFollower {
        private final RecentPieces owner;
        private final String taskId;
        private final int last;
        /** The next piece the reader will read; guarded by the owner's lock. */
        private int next;
        /** When {@link #next} last changed, or the follower was registered ({@link System#nanoTime()}); ditto. */
        private long movedNanos = System.nanoTime();
        private boolean closed;

        private Follower(RecentPieces owner, String taskId, int first, int last) {
            this.owner = owner;
            this.taskId = taskId;
            this.next = first;
            this.last = last;
        }

        @Override
        public void moveTo(int nextPiece) {
            synchronized (owner.lock) {
                if (!closed && nextPiece > next) {
                    next = nextPiece;
                    movedNanos = System.nanoTime();
                }
            }
        }

        @Override
        public void close() {
            synchronized (owner.lock) {
                if (closed) {
                    return;
                }
                closed = true;
                List<Follower> of = owner.followers.get(taskId);
                if (of != null) {
                    of.remove(this);
                    if (of.isEmpty()) {
                        owner.followers.remove(taskId);
                    }
                }
            }
        }
    }

    /** A free buffer of {@code capacity}, a new one while the bound allows, else null. Under the lock. */
    private ByteBuffer take(int capacity) {
        ArrayDeque<ByteBuffer> same = free.get(capacity);
        if (same != null && !same.isEmpty()) {
            return same.pop();
        }
        // free buffers of other sizes (a different piece length than before) are let go to make room
        Iterator<ArrayDeque<ByteBuffer>> others = free.values().iterator();
        while (allocatedBytes + capacity > maxBytes && others.hasNext()) {
            ArrayDeque<ByteBuffer> q = others.next();
            while (allocatedBytes + capacity > maxBytes && !q.isEmpty()) {
                allocatedBytes -= q.pop().capacity();
            }
        }
        if (allocatedBytes + capacity > maxBytes) {
            return null;
        }
        allocatedBytes += capacity;
        return ByteBuffer.allocateDirect(capacity);
    }

    /** Drops one reference; the last one returns the buffer to the pool. Under the lock. */
    private void release(Entry e) {
        if (--e.refs == 0) {
            free.computeIfAbsent(e.bytes.capacity(), c -> new ArrayDeque<>()).push(e.bytes);
        }
    }

    private static int capacityFor(int length) {
        int c = Math.max(MIN_BUFFER_BYTES, Integer.highestOneBit(Math.max(1, length)));
        return c < length ? c << 1 : c;
    }
}

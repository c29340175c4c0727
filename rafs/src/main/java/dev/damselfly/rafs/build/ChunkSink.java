package dev.damselfly.rafs.build;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.codec.Compression;
import dev.damselfly.rafs.codec.Lz4;
import dev.damselfly.rafs.tar.CorruptTarException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;

/**
 * Cuts file content into chunks and appends each new chunk to the blob (§3.2): digest of the uncompressed
 * bytes, dedup by (digest, length) within the layer and against an optional {@link ChunkDictionary}, compression when it helps, a 4 KiB aligned offset in the
 * blob's uncompressed space. Digest, compression and CRC run on one worker per core while the caller reads
 * the next chunks; chunks are committed (deduplicated and written) strictly in order, so the output is the same
 * as a sequential build. Chunks are read side by side into {@link Slab}s (a chunk size of raw bytes, at least
 * {@value #BATCH_BYTES}, and room for their compressed forms) and a slab goes to a worker once it holds about
 * {@value #BATCH_BYTES} bytes or
 * {@value #BATCH_CHUNKS} chunks (a whole chunk fills one alone), so a layer of many small files costs one hand-off per
 * slab, not one per file. Keeps up to 2 × (cores + 1) slabs (see {@link #window}), plus ~70 bytes of metadata per
 * distinct chunk.
 * New chunks of files written with {@code layoutLast} are held back ({@link DeferredChunks}) and appended together by
 * {@link #appendDeferred()}, so a prefetch list's files sit in one region of the blob.
 */
final class ChunkSink {
    /** Most chunks a blob can index (24-bit CI index, §1.8). */
    static final int MAX_CHUNKS = 0xFFFFFF - 1;
    private static final int ZSTD_LEVEL = 3;
    private static final LZ4Compressor LZ4 = Lz4.factory().fastCompressor();
    /** Threads digesting and compressing chunks: one per core. */
    static final int WORKERS = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** A slab goes to a worker once it holds this many bytes: 256 KiB... */
    static final int BATCH_BYTES = 256 * 1024;
    /** ...or this many chunks, whichever comes first. */
    static final int BATCH_CHUNKS = 64;
    /**
     * Room in a slab's compressed half beyond one chunk's bound, bytes per chunk: 64 (the compressors' bounds of
     * several small inputs add up to a little more than the bound of their sum).
     */
    private static final int BOUND_SLACK_PER_CHUNK = 64;
    /** Raw bytes of the slabs beyond cores + 1: 8 MiB (fewer spare slabs for larger ones, none above 8 MiB). */
    private static final long SPARE_SLAB_BYTES = 8L << 20;
    private static final ExecutorService POOL = Executors.newFixedThreadPool(WORKERS, runnable -> {
        Thread thread = new Thread(runnable, "rafs-chunk-worker");
        thread.setDaemon(true);
        return thread;
    });

    private final BlobOutput out;
    private final LayerBuildOptions opts;
    private final Map<ByteBuffer, Integer> seen = new HashMap<>();
    private final ChunkList chunks = new ChunkList();
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    /** Slabs whose chunks are all committed, for reuse. */
    private final ArrayDeque<Slab> free = new ArrayDeque<>();
    /**
     * Most slabs at once: cores + 1, and as many again while they take up to {@link #SPARE_SLAB_BYTES} (so workers
     * do not wait for the reader to commit the oldest chunks; 1.54 -> 1.48 s on 232 MB of small files, 2 cores).
     */
    private final int window;
    private int allocated;
    /** Raw bytes of a slab: the chunk size, at least {@link #BATCH_BYTES}. */
    private final int slabBytes;
    /** The slab chunks are being read into, not yet handed to a worker (its chunks are the tail of {@link #inFlight}). */
    private Slab open;
    private long uncompressedEnd;
    private long references;
    private final ChunkDictionary dict;
    private final DeferredChunks deferred;
    private long dictReferences;

    /**
     * @param dict     chunks that are referenced instead of written (null: none); a file's chunk found there gets the
     *                 id {@code -1 - dictionary index} in the arrays {@link #writeFile} returns
     * @param spillDir where held-back chunks spill to disk when they do not fit in memory ({@link DeferredChunks})
     */
    ChunkSink(BlobOutput out, LayerBuildOptions opts, ChunkDictionary dict, Path spillDir) {
        this.out = out;
        this.opts = opts;
        this.dict = dict;
        this.slabBytes = Math.max(opts.chunkSize(), BATCH_BYTES);
        this.window = WORKERS + 1 + (int) Math.min(WORKERS + 1, SPARE_SLAB_BYTES / slabBytes);
        this.deferred = new DeferredChunks(spillDir);
    }

    /**
     * Reads exactly {@code size} bytes of one file and returns the array of its chunks' CI indexes. Digests and
     * compression run on the worker pool; the indexes are filled in as chunks are committed in order, and are
     * complete once {@link #drain()} has returned.
     *
     * @param entry the tar entry (for errors)
     * @param entryOffset its offset in the tar stream (for errors)
     */
    int[] writeFile(InputStream in, long size, String entry, long entryOffset) throws IOException {
        return writeFile(in, size, entry, entryOffset, false);
    }

    /**
     * As {@link #writeFile(InputStream, long, String, long)}; with {@code layoutLast} the file's new chunks are held
     * back until {@link #appendDeferred()} (their indexes are filled in then).
     */
    int[] writeFile(InputStream in, long size, String entry, long entryOffset, boolean layoutLast) throws IOException {
        long n = (size + opts.chunkSize() - 1) / opts.chunkSize();
        if (n > Integer.MAX_VALUE - 8) {
            throw new CorruptTarException(entry, entryOffset, "file of " + size + " bytes has too many chunks", null);
        }
        int[] ids = new int[(int) n];
        for (int k = 0; k < n; k++) {
            int len = (int) Math.min(opts.chunkSize(), size - (long) k * opts.chunkSize());
            int bound = compressBound(len);
            Slab slab = slabWithRoom(len, bound);
            int got;
            try {
                got = in.readNBytes(slab.raw, slab.rawUsed, len);
            } catch (IOException e) {
                throw new CorruptTarException(entry, entryOffset, "cannot read the entry's data: " + e.getMessage(), e);
            }
            if (got != len) {
                throw new CorruptTarException(entry, entryOffset, "tar ends inside the entry's data (" + size
                        + " bytes announced, " + ((long) k * opts.chunkSize() + got) + " present)", null);
            }
            Pending pending = new Pending(new CompletableFuture<>(), ids, k, (long) k * opts.chunkSize(), slab,
                    slab.rawUsed, slab.packedUsed, len, layoutLast);
            slab.rawUsed += len;
            slab.packedUsed += bound;
            slab.members.add(pending);
            inFlight.add(pending);
            if (slab.rawUsed >= BATCH_BYTES || slab.members.size() >= BATCH_CHUNKS) {
                submitOpen();
            }
        }
        return ids;
    }

    /**
     * The open slab when a chunk of {@code len} bytes (compressed bound {@code bound}) fits in it, else a fresh one
     * (the open one handed to a worker first), once fewer than {@link #window} slabs are in use (committing the oldest
     * chunks until one is free).
     */
    private Slab slabWithRoom(int len, int bound) throws IOException {
        if (open != null && open.rawUsed + len <= open.raw.length && open.packedUsed + bound <= open.packed.length) {
            return open;
        }
        submitOpen();
        while (free.isEmpty() && allocated >= window) {
            commit(inFlight.poll());
        }
        Slab slab = free.poll();
        if (slab == null) {
            allocated++;
            int packed = opts.compression() == Compression.NONE ? 0
                    : compressBound(slabBytes) + BATCH_CHUNKS * BOUND_SLACK_PER_CHUNK;
            slab = new Slab(new byte[slabBytes], new byte[packed]);
        }
        open = slab;
        return slab;
    }

    private int compressBound(int len) {
        return opts.compression() == Compression.ZSTD ? (int) Zstd.compressBound(len)
                : opts.compression() == Compression.LZ4_BLOCK ? LZ4.maxCompressedLength(len) : 0;
    }

    /** Hands the open slab to one worker, which prepares its chunks in order. */
    private void submitOpen() {
        Slab slab = open;
        if (slab == null || slab.members.isEmpty()) {
            return;
        }
        open = null;
        List<Pending> members = List.copyOf(slab.members);
        POOL.execute(() -> {
            for (Pending p : members) {
                if (p.prepared.isDone()) {
                    continue; // abandoned
                }
                try {
                    p.prepared.complete(prepare(p));
                } catch (Throwable t) {
                    p.prepared.completeExceptionally(t);
                }
            }
        });
    }

    /** Commits every chunk still in flight; afterwards every array returned by {@link #writeFile} is complete. */
    void drain() throws IOException {
        submitOpen();
        while (!inFlight.isEmpty()) {
            commit(inFlight.poll());
        }
    }

    /**
     * After {@link #drain()}: appends the held-back chunks (in the order they were read) and gives them, and every
     * file that refers to them, their indexes.
     */
    void appendDeferred() throws IOException {
        int[] finalIndex = new int[deferred.size()];
        for (int i = 0; i < finalIndex.length; i++) {
            DeferredChunks.Chunk c = deferred.chunks().get(i);
            finalIndex[i] = append(c.key(), c.digest(), c.length(), c.compressed(), deferred.bytes(c), 0, c.stored(),
                    c.crc(), c.fileOffset());
        }
        deferred.patch(finalIndex);
        deferred.close();
    }

    /** Waits for in-flight work without committing it (after a failure). */
    void abandon() {
        for (Pending p : inFlight) {
            p.prepared.cancel(false);
        }
        inFlight.clear();
        open = null;
        try {
            deferred.close();
        } catch (IOException e) {
            // the spool is a temporary file; the build has failed already
        }
    }

    /** Runs on a worker: digest, compression (kept only when smaller) and CRC32C of one chunk. */
    private Prepared prepare(Pending p) throws IOException {
        byte[] raw = p.slab.raw;
        byte[] packed = p.slab.packed;
        int len = p.len;
        int bound = compressBound(len);
        byte[] digest = opts.digest().digest(raw, p.rawOffset, len);
        int stored = len;
        boolean compressed = false;
        if (opts.compression() == Compression.ZSTD) {
            long c = Zstd.compressByteArray(packed, p.packedOffset, bound, raw, p.rawOffset, len, ZSTD_LEVEL);
            if (Zstd.isError(c)) {
                throw new IOException("zstd compression failed: " + Zstd.getErrorName(c));
            }
            if (c < len) {
                compressed = true;
                stored = (int) c;
            }
        } else if (opts.compression() == Compression.LZ4_BLOCK) {
            int c = LZ4.compress(raw, p.rawOffset, len, packed, p.packedOffset, bound);
            if (c < len) {
                compressed = true;
                stored = c;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(raw, p.rawOffset, len);
        return new Prepared(digest, compressed, stored, (int) crc.getValue());
    }

    /** Dedups and appends one prepared chunk, in file order. */
    private void commit(Pending p) throws IOException {
        if (p.slab == open) {
            submitOpen(); // waiting for a chunk no worker has yet
        }
        Prepared r;
        try {
            r = p.prepared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while preparing chunks");
        } catch (ExecutionException e) {
            release(p);
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("chunk preparation failed: " + e.getCause(), e.getCause());
        }
        try {
            references++;
            ByteBuffer key = ByteBuffer.allocate(36).put(r.digest).putInt(p.len).flip();
            Integer known = seen.get(key);
            if (known != null) {
                if (known < 0) {
                    dictReferences++;
                }
                p.ids[p.slot] = known;
                return;
            }
            int held = deferred.find(key);
            if (held >= 0) {
                deferred.refer(p.ids, p.slot, held);
                return;
            }
            int fromDict = dict == null ? -1 : dict.find(key);
            if (fromDict >= 0) {
                dictReferences++;
                seen.put(key, -1 - fromDict);
                p.ids[p.slot] = -1 - fromDict;
                return;
            }
            if (chunks.size() + deferred.size() >= MAX_CHUNKS) {
                throw new IOException("layer has more than " + MAX_CHUNKS + " distinct chunks");
            }
            byte[] bytes = r.compressed ? p.slab.packed : p.slab.raw;
            int offset = r.compressed ? p.packedOffset : p.rawOffset;
            if (p.layoutLast) {
                int position = deferred.add(key, r.digest, p.len, r.compressed, bytes, offset, r.stored, r.crc,
                        p.fileOffset);
                deferred.refer(p.ids, p.slot, position);
                return;
            }
            p.ids[p.slot] = append(key, r.digest, p.len, r.compressed, bytes, offset, r.stored, r.crc, p.fileOffset);
        } finally {
            release(p);
        }
    }

    /** Writes one new chunk's stored bytes at the blob's end and records it; returns its CI index. */
    private int append(ByteBuffer key, byte[] digest, int len, boolean compressed, byte[] bytes, int offset, int stored,
                       int crc, long fileOffset) throws IOException {
        if (opts.aligned()) {
            out.padTo(4096);
        }
        long compressedOffset = out.position();
        if (opts.aligned() && compressedOffset != uncompressedEnd) {
            throw new IllegalStateException("aligned blob offset " + compressedOffset + " != " + uncompressedEnd);
        }
        out.write(bytes, offset, stored);
        int index = chunks.add(digest, compressedOffset, stored, uncompressedEnd, len, compressed, crc, fileOffset);
        uncompressedEnd += (len + 4095L) & ~4095L;
        seen.put(key, index);
        return index;
    }

    /** One committed chunk fewer in its slab; a slab with none left is free for reuse. */
    private void release(Pending p) {
        Slab slab = p.slab;
        if (++slab.committed == slab.members.size() && slab != open) {
            slab.rawUsed = 0;
            slab.packedUsed = 0;
            slab.committed = 0;
            slab.members.clear();
            free.add(slab);
        }
    }

    /**
     * Raw bytes of chunks side by side (up to {@link #slabBytes}), room for their compressed forms (each chunk's bound,
     * side by side), and the chunks read into it; reused once every one of them is committed.
     */
    private static final class Slab {
        final byte[] raw;
        final byte[] packed;
        int rawUsed;
        int packedUsed;
        int committed;
        final ArrayList<Pending> members = new ArrayList<>();

        Slab(byte[] raw, byte[] packed) {
            this.raw = raw;
            this.packed = packed;
        }
    }

    /** What a worker computed for one chunk. */
    private record Prepared(byte[] digest, boolean compressed, int stored, int crc) {
    }

    /** A chunk read and handed to the workers, and where its CI index goes. */
    private record Pending(CompletableFuture<Prepared> prepared, int[] ids, int slot, long fileOffset, Slab slab,
                           int rawOffset, int packedOffset, int len, boolean layoutLast) {
    }

    /** The distinct chunks written, in CI order. */
    ChunkList chunks() {
        return chunks;
    }

    /** Size of the blob's uncompressed address space: the last chunk end rounded up to 4 KiB. */
    long uncompressedSize() {
        return uncompressedEnd;
    }

    /** Chunk references satisfied by the chunk dictionary (included in {@link #references()}). */
    long dictionaryReferences() {
        return dictReferences;
    }

    /** Chunk references made by files (≥ distinct chunks; the difference was deduplicated). */
    long references() {
        return references;
    }

    /** The V1 chunk-info array (§3.4): 16 bytes per chunk, CI order. */
    byte[] chunkInfoV1() {
        ByteBuffer b = ByteBuffer.allocate(chunks.size() * 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < chunks.size(); i++) {
            long us = chunks.uncompressedSize(i) - 1;
            long cs = chunks.compressedSize(i) - 1;
            long u = ((us >>> 20) & 0xF) << 8 | (chunks.uncompressedOffset(i) & ((1L << 44) - 1) & ~0xFFFL) | (us & 0xFFFFF) << 44;
            long c = (chunks.compressedOffset(i) & ((1L << 40) - 1)) | ((cs >>> 20) & 0xF) << 40 | (cs & 0xFFFFF) << 44;
            b.putLong(u).putLong(c);
        }
        return b.array();
    }

    /** The chunk digest array (§3.6): 32 bytes per chunk, CI order. */
    byte[] digestArray() {
        ByteArrayOutputStream o = new ByteArrayOutputStream(chunks.size() * 32);
        for (int i = 0; i < chunks.size(); i++) {
            o.writeBytes(chunks.digest(i));
        }
        return o.toByteArray();
    }

}

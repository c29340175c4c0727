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
 * as a sequential build. Chunks go to the workers in batches of about {@value #BATCH_BYTES} bytes (a whole chunk of
 * that size or more alone), so a layer of many small files costs one hand-off per batch, not one per file; at most
 * cores + 1 chunk sizes of them are in flight (the raw bytes and room for their compressed form), plus ~70 bytes of
 * metadata per distinct chunk.
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
    /** A batch of chunks goes to a worker once it holds this many bytes: 256 KiB. */
    static final int BATCH_BYTES = 256 * 1024;
    /** ...or this many chunks, whichever comes first. */
    static final int BATCH_CHUNKS = 64;
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
    /** Chunk-size buffer pairs of committed chunks, for the next whole chunks (smaller ones get their own). */
    private final ArrayDeque<Buffers> free = new ArrayDeque<>();
    /** Most raw bytes read and not yet committed: cores + 1 chunk sizes. */
    private final long windowBytes;
    private long inFlightBytes;
    /** Chunks read and not yet handed to a worker (all of them at the tail of {@link #inFlight}). */
    private final ArrayList<Pending> batch = new ArrayList<>();
    private long batchBytes;
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
        this.windowBytes = (long) (WORKERS + 1) * opts.chunkSize();
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
            Buffers buffers = takeBuffers(len);
            int got;
            try {
                got = in.readNBytes(buffers.raw, 0, len);
            } catch (IOException e) {
                release(buffers);
                throw new CorruptTarException(entry, entryOffset, "cannot read the entry's data: " + e.getMessage(), e);
            }
            if (got != len) {
                release(buffers);
                throw new CorruptTarException(entry, entryOffset, "tar ends inside the entry's data (" + size
                        + " bytes announced, " + ((long) k * opts.chunkSize() + got) + " present)", null);
            }
            Pending pending = new Pending(new CompletableFuture<>(), ids, k, (long) k * opts.chunkSize(), buffers, len,
                    layoutLast);
            inFlight.add(pending);
            inFlightBytes += len;
            batch.add(pending);
            batchBytes += len;
            if (batchBytes >= BATCH_BYTES || batch.size() >= BATCH_CHUNKS) {
                submitBatch();
            }
        }
        return ids;
    }

    /** Hands the chunks read since the last hand-off to one worker, which prepares them in order. */
    private void submitBatch() {
        if (batch.isEmpty()) {
            return;
        }
        List<Pending> chunksOfBatch = List.copyOf(batch);
        batch.clear();
        batchBytes = 0;
        POOL.execute(() -> {
            for (Pending p : chunksOfBatch) {
                if (p.prepared.isDone()) {
                    continue; // abandoned
                }
                try {
                    p.prepared.complete(prepare(p.buffers, p.len));
                } catch (Throwable t) {
                    p.prepared.completeExceptionally(t);
                }
            }
        });
    }

    /** Commits every chunk still in flight; afterwards every array returned by {@link #writeFile} is complete. */
    void drain() throws IOException {
        submitBatch();
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
            finalIndex[i] = append(c.key(), c.digest(), c.length(), c.compressed(), deferred.bytes(c), c.stored(), c.crc(),
                    c.fileOffset());
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
        batch.clear();
        try {
            deferred.close();
        } catch (IOException e) {
            // the spool is a temporary file; the build has failed already
        }
    }

    /**
     * Buffers for a chunk of {@code len} bytes, once the chunks in flight leave room for it (committing the oldest
     * until they do): a pooled chunk-size pair for a whole chunk, a pair of its own size for a smaller one.
     */
    private Buffers takeBuffers(int len) throws IOException {
        while (!inFlight.isEmpty() && inFlightBytes + len > windowBytes) {
            commit(inFlight.poll());
        }
        if (len < opts.chunkSize()) {
            return new Buffers(new byte[len], new byte[compressBound(len)]);
        }
        Buffers pooled = free.poll();
        return pooled != null ? pooled : new Buffers(new byte[len], new byte[compressBound(len)]);
    }

    private int compressBound(int len) {
        return opts.compression() == Compression.ZSTD ? (int) Zstd.compressBound(len)
                : opts.compression() == Compression.LZ4_BLOCK ? LZ4.maxCompressedLength(len) : 0;
    }

    /** Keeps a chunk-size pair for the next whole chunk; smaller pairs are left to the garbage collector. */
    private void release(Buffers buffers) {
        if (buffers.raw.length == opts.chunkSize()) {
            free.add(buffers);
        }
    }

    /** Runs on a worker: digest, compression (kept only when smaller) and CRC32C of one chunk. */
    private Prepared prepare(Buffers b, int len) throws IOException {
        byte[] digest = opts.digest().digest(b.raw, 0, len);
        int stored = len;
        boolean compressed = false;
        if (opts.compression() == Compression.ZSTD) {
            long c = Zstd.compressByteArray(b.packed, 0, b.packed.length, b.raw, 0, len, ZSTD_LEVEL);
            if (Zstd.isError(c)) {
                throw new IOException("zstd compression failed: " + Zstd.getErrorName(c));
            }
            if (c < len) {
                compressed = true;
                stored = (int) c;
            }
        } else if (opts.compression() == Compression.LZ4_BLOCK) {
            int c = LZ4.compress(b.raw, 0, len, b.packed, 0, b.packed.length);
            if (c < len) {
                compressed = true;
                stored = c;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.raw, 0, len);
        return new Prepared(digest, compressed, stored, (int) crc.getValue());
    }

    /** Dedups and appends one prepared chunk, in file order. */
    private void commit(Pending p) throws IOException {
        if (!batch.isEmpty() && batch.get(0) == p) {
            submitBatch(); // waiting for a chunk no worker has yet
        }
        inFlightBytes -= p.len;
        Prepared r;
        try {
            r = p.prepared.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while preparing chunks");
        } catch (ExecutionException e) {
            release(p.buffers);
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
            byte[] bytes = r.compressed ? p.buffers.packed : p.buffers.raw;
            if (p.layoutLast) {
                int position = deferred.add(key, r.digest, p.len, r.compressed, bytes, r.stored, r.crc, p.fileOffset);
                deferred.refer(p.ids, p.slot, position);
                return;
            }
            p.ids[p.slot] = append(key, r.digest, p.len, r.compressed, bytes, r.stored, r.crc, p.fileOffset);
        } finally {
            release(p.buffers);
        }
    }

    /** Writes one new chunk's stored bytes at the blob's end and records it; returns its CI index. */
    private int append(ByteBuffer key, byte[] digest, int len, boolean compressed, byte[] bytes, int stored, int crc,
                       long fileOffset) throws IOException {
        if (opts.aligned()) {
            out.padTo(4096);
        }
        long compressedOffset = out.position();
        if (opts.aligned() && compressedOffset != uncompressedEnd) {
            throw new IllegalStateException("aligned blob offset " + compressedOffset + " != " + uncompressedEnd);
        }
        out.write(bytes, 0, stored);
        int index = chunks.add(digest, compressedOffset, stored, uncompressedEnd, len, compressed, crc, fileOffset);
        uncompressedEnd += (len + 4095L) & ~4095L;
        seen.put(key, index);
        return index;
    }

    /** A chunk's raw bytes and room for its compressed form; reused once the chunk is committed. */
    private record Buffers(byte[] raw, byte[] packed) {
    }

    /** What a worker computed for one chunk. */
    private record Prepared(byte[] digest, boolean compressed, int stored, int crc) {
    }

    /** A chunk read and handed to the workers, and where its CI index goes. */
    private record Pending(CompletableFuture<Prepared> prepared, int[] ids, int slot, long fileOffset, Buffers buffers, int len,
                           boolean layoutLast) {
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

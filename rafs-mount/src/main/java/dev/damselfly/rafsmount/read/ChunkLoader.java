package dev.damselfly.rafsmount.read;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkDigestMismatchException;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafsmount.cache.BlobCache;
import dev.damselfly.rafsmount.cache.CachedChunk;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.source.BlobSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers verified chunk bytes: from the {@link BlobCache} when it has them, otherwise from the
 * {@link BlobSource}s. Missing chunks are fetched, and cached ones read back, by exactly one caller at a time
 * (single-flight: others wait for the same result); adjacent missing chunks of one blob are merged into one source read of at most
 * {@code amplifyIo} bytes, extended with the file's following chunks while they fit, then (with a blob cache)
 * with the blob's following chunks whichever files they belong to, while the range stays contiguous and within
 * {@code amplifyIo} (nydusd §5.6; {@link BlobNeighbours}). Every chunk is decompressed and checked against its
 * digest before it is cached or returned (the extra chunks of a merged read on a background thread, after the chunks
 * its reader asked for, so that the reader does not wait for them); a chunk a reader asked for that fails is fetched
 * once more, alone, from
 * the next source (the same one when there is only one), and then fails with {@link ChunkReadException}. An extra
 * chunk (amplification) that fails is dropped (not cached, never failing the read that fetched it; a reader who
 * was waiting for it fetches it itself) after one retry from the next source when there is a different one; when
 * a whole merged source read fails, its extra chunks are dropped without a retry. Chunks read back from the cache are checked once per mount (the cache's CRC32C
 * of the verified bytes, or the chunk digest for chunks cached without one).
 * The verified bytes of the large chunks delivered last stay in memory ({@link RecentChunks}, one bound for all the
 * loaders of the process) for the next FUSE reads of the same chunk. Bytes fetched, cache hits and misses of readers'
 * chunks (a chunk answered from memory counts as a hit), and verification failures go to {@link MountMetrics}.
 */
public final class ChunkLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ChunkLoader.class);
    /**
     * Threads that decode and cache the extra chunks of amplified reads, shared by every mount of the process: half
     * the processors, at least one (daemon threads, idle ones end after 30 s).
     */
    private static final ThreadPoolExecutor EXTRA_DECODERS = extraDecoders();
    /**
     * Chunks recently delivered by every loader of the process (one per mount: a node may hold many), so that the
     * memory they take is bounded per process, not per mount.
     */
    private static final RecentChunks<RecentKey> RECENT = new RecentChunks<>(RecentChunks.DEFAULT_BYTES);
    private static final AtomicLong LOADER_IDS = new AtomicLong();

    private final RafsImage image;
    private final List<BlobSource> sources;
    private final BlobCache cache;
    private final int amplifyIo;
    private final ChunkDecoder decoder;
    private final MountMetrics metrics;
    private final BlobNeighbours neighbours;
    private final ConcurrentHashMap<Key, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
    /** Chunks being read back from the blob cache (null when it did not have them), one reader per chunk. */
    private final ConcurrentHashMap<Key, CompletableFuture<byte[]>> cacheReads = new ConcurrentHashMap<>();
    /** Cached chunks being checked by a reader of part of them (true once intact), one reader per chunk. */
    private final ConcurrentHashMap<Key, CompletableFuture<Boolean>> cacheChecks = new ConcurrentHashMap<>();
    /** Cached chunks read whole for a CRC32C check by {@link #cachedRange} (tests). */
    private final AtomicLong rangeChecks = new AtomicLong();
    private final Set<Key> verifiedInCache = ConcurrentHashMap.newKeySet();
    /** This loader's part of {@link #RECENT} (an id, not a reference: a closed mount's entries just age out). */
    private final long loaderId = LOADER_IDS.incrementAndGet();

    private static ThreadPoolExecutor extraDecoders() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "chunk-extras-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * A stored chunk within a mount: blob and compressed location. A map key on every read, so equals and hashCode
     * are written out: a record's generated ones are bootstrapped through method handles on first use, which spins
     * dozens of classes in the middle of a mount's first reads.
     */
    private record Key(int blob, long offset, long size) {
        static Key of(ChunkRef c) {
            return new Key(c.blobIndex(), c.compressedOffset(), c.compressedSize());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.blob == blob && k.offset == offset && k.size == size;
        }

        @Override
        public int hashCode() {
            return (31 * blob + Long.hashCode(offset)) * 31 + Long.hashCode(size);
        }
    }

    /** A chunk of one loader in the process-wide {@link #RECENT} (equals and hashCode written out, as for Key). */
    private record RecentKey(long loader, Key chunk) {
        @Override
        public boolean equals(Object o) {
            return o instanceof RecentKey k && k.loader == loader && k.chunk.equals(chunk);
        }

        @Override
        public int hashCode() {
            return 31 * Long.hashCode(loader) + chunk.hashCode();
        }
    }

    private RecentKey recentKey(Key chunk) {
        return new RecentKey(loaderId, chunk);
    }

    /** A chunk this caller fetches, and whether a reader asked for it (else it is amplification). */
    private record Claim(ChunkRef chunk, CompletableFuture<byte[]> future, boolean wanted) {
        long start() {
            return chunk.compressedOffset();
        }

        long end() {
            return chunk.compressedOffset() + chunk.compressedSize();
        }
    }

    /**
     * @param sources   tried in order on a retry (first source first); at least one
     * @param cache     the blob cache, or null for none
     * @param amplifyIo largest merged source read in bytes (nydusd {@code amplify_io}); a single chunk larger than
     *                  this is still read whole
     */
    public ChunkLoader(RafsImage image, List<BlobSource> sources, BlobCache cache, int amplifyIo) {
        this(image, sources, cache, amplifyIo, MountMetrics.discarding());
    }

    /** As {@link #ChunkLoader(RafsImage, List, BlobCache, int)}, reporting to {@code metrics}. */
    public ChunkLoader(RafsImage image, List<BlobSource> sources, BlobCache cache, int amplifyIo, MountMetrics metrics) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("at least one blob source is needed");
        }
        this.image = image;
        this.sources = List.copyOf(sources);
        this.cache = cache;
        this.amplifyIo = amplifyIo;
        this.decoder = new ChunkDecoder(image);
        this.metrics = metrics;
        this.neighbours = new BlobNeighbours(image);
    }

    /**
     * The verified bytes of every chunk in {@code wanted}, in order. Chunks in {@code following} (the file's
     * next chunks) may be fetched in the same source reads and cached, but are not returned.
     *
     * @param file path of the file being read, for logs and errors
     */
    public List<byte[]> load(String file, List<ChunkRef> wanted, List<ChunkRef> following) throws IOException {
        return load(file, wanted, following, true, amplifyIo);
    }

    /**
     * As {@link #load}, for prefetch: the same verification and single-flight, but not counted as readers' cache hits
     * or misses, and merging the chunks into source reads of up to {@code readLimit} bytes (at least amplifyIo: a
     * prefetch knows it wants them all).
     */
    public List<byte[]> prefetch(String file, List<ChunkRef> wanted, int readLimit) throws IOException {
        return load(file, wanted, List.of(), false, Math.max(readLimit, amplifyIo));
    }

    private List<byte[]> load(String file, List<ChunkRef> wanted, List<ChunkRef> following, boolean demand,
                              int readLimit) throws IOException {
        byte[][] out = new byte[wanted.size()][];
        List<CompletableFuture<byte[]>> waits = new ArrayList<>(wanted.size());
        List<Claim> mine = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            ChunkRef c = wanted.get(i);
            waits.add(null);
            if (c.hole()) {
                out[i] = new byte[(int) c.uncompressedSize()];
                continue;
            }
            byte[] hit = fromCacheOnce(file, c);
            if (hit != null) {
                if (demand) {
                    metrics.cacheHit();
                }
                out[i] = hit;
                continue;
            }
            if (demand) {
                metrics.cacheMiss(); // fetched below, or by the reader already fetching it
            }
            Key key = Key.of(c);
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            CompletableFuture<byte[]> other = inflight.putIfAbsent(key, f);
            if (other != null) {
                waits.set(i, other);
                continue;
            }
            hit = fromCache(file, c); // finished by someone else between our miss and our claim
            if (hit != null) {
                f.complete(hit);
                inflight.remove(key, f);
                out[i] = hit;
                continue;
            }
            mine.add(new Claim(c, f, true));
            waits.set(i, f);
        }
        if (!mine.isEmpty()) {
            List<List<Claim>> runs = plan(mine, following, readLimit);
            int fetched = 0;
            try {
                for (List<Claim> run : runs) {
                    fetch(file, run);
                    fetched++; // every claim of the run completed, or its extra chunks handed to the background
                }
            } finally {
                // never leave a claim open: others would wait for it forever
                for (List<Claim> run : runs.subList(fetched, runs.size())) {
                    for (Claim c : run) {
                        if (!c.future().isDone() && !c.wanted()) {
                            drop(c);
                        } else if (!c.future().isDone()) {
                            fail(c, new ChunkReadException(file, c.chunk(), sources.get(0).name(),
                                    new IllegalStateException("fetch aborted")));
                        }
                    }
                }
            }
        }
        List<Integer> dropped = new ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if (out[i] == null) {
                out[i] = await(file, wanted.get(i), waits.get(i));
                if (out[i] == null) {
                    dropped.add(i); // another reader's extra chunk that failed: fetch it ourselves
                }
            }
        }
        if (!dropped.isEmpty()) {
            List<ChunkRef> again = new ArrayList<>(dropped.size());
            for (int i : dropped) {
                again.add(wanted.get(i));
            }
            List<byte[]> got = load(file, again, List.of(), false, amplifyIo);
            for (int k = 0; k < dropped.size(); k++) {
                out[dropped.get(k)] = got.get(k);
            }
        }
        return Arrays.asList(out);
    }

    /**
     * Copies bytes {@code [from, from + dst.remaining())} of chunk {@code c} (relative to the chunk) into {@code dst}
     * from the chunks held in memory ({@link RecentChunks}), or else straight from the cache (positional reads; a
     * direct buffer gets them without a heap copy) when this mount has checked that cached chunk before, or when
     * the whole chunk, read around the range, passes the cache's CRC32C check; otherwise returns false (use
     * {@link #load}) with {@code dst}'s position unchanged. Saves reading a whole chunk into the heap for every FUSE
     * read: a mount reading its first chunks made a chunk-sized array for each, which kept the node's collector busy.
     */
    public boolean cachedRange(ChunkRef c, int from, ByteBuffer dst) {
        if (c.hole()) {
            return false;
        }
        Key key = Key.of(c);
        byte[] held = RECENT.get(recentKey(key));
        if (held != null && from >= 0 && from + dst.remaining() <= held.length) {
            dst.put(held, from, dst.remaining());
            metrics.cacheHit();
            return true;
        }
        if (cache == null) {
            return false;
        }
        if (!verifiedInCache.contains(key)) {
            return checked(c, key, from, dst);
        }
        return checkedBefore(c, from, dst);
    }

    /** The range of a cached chunk this mount has checked before, read straight into {@code dst}. */
    private boolean checkedBefore(ChunkRef c, int from, ByteBuffer dst) {
        int start = dst.position();
        try {
            if (cache.readRange(blob(c), c, from, dst)) {
                metrics.cacheHit();
                metrics.cacheRead(dst.position() - start);
                return true;
            }
        } catch (IOException e) {
            LOG.debug("blob cache range read failed for chunk {} of blob {}: {}", c.chunkIndex(), c.blobId(), e.toString());
        }
        dst.position(start);
        return false;
    }

    /** How many times {@link #cachedRange} read a cached chunk whole to check it (tests). */
    long rangeChecks() {
        return rangeChecks.get();
    }

    /** Largest run of unwanted bytes one source read spans between two chunks it wants: amplifyIo / 128. */
    public long mergeGapBytes() {
        return Math.max(amplifyIo / 128, 0);
    }

    /** Groups the claimed chunks into source reads and extends each read with following chunks. */
    private List<List<Claim>> plan(List<Claim> mine, List<ChunkRef> following, int readLimit) {
        long gapLimit = mergeGapBytes();
        List<List<Claim>> runs = SourceReads.cut(mine, Claim::chunk, gapLimit, readLimit);
        if (!following.isEmpty()) {
            List<ChunkRef> extra = new ArrayList<>(following);
            extra.sort(Comparator.comparingLong(ChunkRef::compressedOffset));
            for (List<Claim> r : runs) {
                amplify(r, extra);
            }
        }
        if (cache != null && neighbours.available()) {
            for (List<Claim> r : runs) {
                amplifyAcrossFiles(r, gapLimit);
            }
        }
        return runs;
    }

    /**
     * Appends to {@code run} the blob's next chunks (by chunk-info index) while each starts at or after the run's
     * end with a gap of at most {@code gapLimit} bytes, the run stays within amplifyIo, and the chunk is neither
     * cached nor being fetched. Only worth it with a cache: the extra chunks are for later readers.
     */
    private void amplifyAcrossFiles(List<Claim> run, long gapLimit) {
        Claim first = run.get(0);
        while (true) {
            Claim last = run.get(run.size() - 1);
            ChunkRef c = neighbours.next(last.chunk());
            if (c == null || c.compressedOffset() < last.end() || c.compressedOffset() - last.end() > gapLimit
                    || c.compressedOffset() + c.compressedSize() - first.start() > amplifyIo || isCached(c)) {
                return;
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (inflight.putIfAbsent(Key.of(c), f) != null) {
                return;
            }
            run.add(new Claim(c, f, false));
        }
    }

    /** Appends to {@code run} the following chunks that start after it and keep it within amplifyIo. */
    private void amplify(List<Claim> run, List<ChunkRef> extra) {
        Claim first = run.get(0);
        for (ChunkRef c : extra) {
            Claim last = run.get(run.size() - 1);
            if (c.hole() || c.blobIndex() != first.chunk().blobIndex() || c.compressedOffset() < last.end()) {
                continue;
            }
            if (c.compressedOffset() + c.compressedSize() - first.start() > amplifyIo) {
                return;
            }
            if (isCached(c)) {
                return; // nydusd trims cached chunks at the tail of the extension
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            if (inflight.putIfAbsent(Key.of(c), f) != null) {
                return;
            }
            run.add(new Claim(c, f, false));
        }
    }

    private boolean isCached(ChunkRef c) {
        if (cache == null) {
            return false;
        }
        try {
            return cache.contains(blob(c), c);
        } catch (IOException e) {
            return false;
        }
    }

    /** One source read for the whole run; chunks that fail are retried alone. Completes every claim. */
    private void fetch(String file, List<Claim> run) {
        BlobSource src = sources.get(0);
        long start = run.get(0).start();
        long end = run.get(run.size() - 1).end();
        String blobId = run.get(0).chunk().blobId();
        byte[] bytes;
        try {
            bytes = src.read(blobId, start, Math.toIntExact(end - start));
            metrics.fetched(src, bytes.length);
        } catch (IOException | RuntimeException e) {
            LOG.debug("source {} failed reading blob {} [{}, {}) for {}: {}", src.name(), blobId, start, end, file, e.toString());
            for (Claim c : run) {
                if (c.wanted()) {
                    retry(file, c, src, e);
                } else {
                    drop(c);
                }
            }
            return;
        }
        // the chunks readers asked for here; the extra chunks in the background, so that decoding them (a 1 MiB
        // amplified read of small files holds dozens) does not delay the reader who triggered the read
        List<Claim> extras = new ArrayList<>();
        for (Claim c : run) {
            if (c.wanted()) {
                decode(file, c, bytes, start, src);
            } else {
                extras.add(c);
            }
        }
        if (!extras.isEmpty()) {
            Runnable decodeExtras = () -> decodeExtras(file, extras, bytes, start, src);
            try {
                EXTRA_DECODERS.execute(decodeExtras);
            } catch (RejectedExecutionException e) {
                decodeExtras.run();
            }
        }
    }

    /** Decodes extra chunks of one source read; every claim is completed, whatever happens. */
    private void decodeExtras(String file, List<Claim> extras, byte[] bytes, long start, BlobSource src) {
        try {
            for (Claim c : extras) {
                decode(file, c, bytes, start, src);
            }
        } finally {
            for (Claim c : extras) {
                if (!c.future().isDone()) {
                    drop(c);
                }
            }
        }
    }

    /** Decodes, checks and delivers one chunk of a source read that started at {@code start}; a failure retries. */
    private void decode(String file, Claim c, byte[] bytes, long start, BlobSource src) {
        byte[] stored = Arrays.copyOfRange(bytes, (int) (c.start() - start), (int) (c.end() - start));
        try {
            deliver(c, decoder.decode(c.chunk(), stored, src.name()));
        } catch (RafsException e) {
            metrics.verificationFailed();
            if (c.wanted() || sources.size() > 1) {
                retry(file, c, src, e); // an extra chunk gets the fallback source too, never the same one
            } else {
                LOG.warn("extra chunk dropped: chunk {} blob {} source {} (amplifying a read of {}): {}",
                        c.chunk().chunkIndex(), c.chunk().blobId(), src.name(), file, e.getMessage());
                drop(c);
            }
        } catch (RuntimeException e) {
            if (c.wanted()) {
                throw e;
            }
            drop(c);
        }
    }

    /**
     * Waits until every chunk fetch in flight when called has finished (extra chunks of amplified reads are decoded
     * and cached in the background after their reader has its bytes), at most {@code timeout}; false on timeout. For
     * an orderly unmount and for tests.
     */
    public boolean awaitInflight(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (CompletableFuture<byte[]> f : List.copyOf(inflight.values())) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CancellationException e) {
                // finished, badly: its reader has been told
            } catch (TimeoutException e) {
                return false;
            }
        }
        return true;
    }

    /** Gives up an extra chunk without caching it: whoever waits for it gets null and fetches it itself. */
    private void drop(Claim claim) {
        claim.future().complete(null);
        inflight.remove(Key.of(claim.chunk()), claim.future());
    }

    /** The second and last attempt for one chunk, from the next source. */
    private void retry(String file, Claim claim, BlobSource failed, Exception firstError) {
        ChunkRef c = claim.chunk();
        BlobSource src = sources.get(Math.min(1, sources.size() - 1));
        LOG.debug("retrying chunk {} of blob {} for {} from {} after {} failed: {}", c.chunkIndex(), c.blobId(), file,
                src.name(), failed.name(), firstError.toString());
        try {
            byte[] stored = src.read(c.blobId(), c.compressedOffset(), Math.toIntExact(c.compressedSize()));
            metrics.fetched(src, stored.length);
            byte[] data;
            try {
                data = decoder.decode(c, stored, src.name());
            } catch (RafsException e) {
                metrics.verificationFailed();
                throw e;
            }
            deliver(claim, data);
        } catch (IOException | RuntimeException e) {
            String why = e instanceof ChunkDigestMismatchException m
                    ? "digest mismatch: expected " + m.expected() + ", got " + m.actual()
                    : e.toString();
            if (!claim.wanted()) {
                LOG.warn("extra chunk dropped: chunk {} blob {} source {}: {} (after a first attempt from {}, amplifying a "
                        + "read of {})", c.chunkIndex(), c.blobId(), src.name(), why, failed.name(), file);
                drop(claim);
                return;
            }
            LOG.warn("read failed: file {} chunk {} blob {} source {}: {} (after a first attempt from {})", file,
                    c.chunkIndex(), c.blobId(), src.name(), why, failed.name());
            fail(claim, new ChunkReadException(file, c, src.name(), e));
        }
    }

    private void deliver(Claim claim, byte[] data) {
        ChunkRef c = claim.chunk();
        if (cache != null) {
            try {
                if (cache.put(blob(c), c, data) || cache.contains(blob(c), c)) {
                    verifiedInCache.add(Key.of(c));
                }
            } catch (IOException e) {
                LOG.warn("blob cache write failed for chunk {} of blob {}: {}", c.chunkIndex(), c.blobId(), e.toString());
            }
        }
        RECENT.offer(recentKey(Key.of(c)), data);
        claim.future().complete(data);
        inflight.remove(Key.of(c), claim.future());
    }

    private void fail(Claim claim, ChunkReadException e) {
        claim.future().completeExceptionally(e);
        inflight.remove(Key.of(claim.chunk()), claim.future());
    }

    /**
     * Reads bytes {@code [from, from + dst.remaining())} of cached chunk {@code c} into {@code dst} and keeps them
     * when the whole chunk passes the cache's CRC32C check (the chunk then counts as checked for this mount; the
     * rest of it is read for the checksum only, into no array); any other outcome (not cached, no CRC32C recorded, a
     * mismatch, an I/O error) leaves the chunk to {@link #load}, which handles each.
     */
    private boolean checked(ChunkRef c, Key key, int from, ByteBuffer dst) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> other = cacheChecks.putIfAbsent(key, mine);
        if (other != null) {
            return other.join() && checkedBefore(c, from, dst); // its reader checks the chunk; this one waits
        }
        boolean intact = false;
        try {
            rangeChecks.incrementAndGet();
            intact = cache.readChecked(blob(c), c, from, dst) == CachedChunk.Integrity.INTACT;
            if (intact) {
                verifiedInCache.add(key);
                dst.position(dst.limit());
                metrics.cacheHit();
                metrics.cacheRead(c.uncompressedSize()); // all of it was read, the rest for the checksum
            }
        } catch (IOException e) {
            LOG.debug("blob cache read failed for chunk {} of blob {}: {}", c.chunkIndex(), c.blobId(), e.toString());
        } finally {
            mine.complete(intact);
            cacheChecks.remove(key, mine);
        }
        return intact;
    }

    /**
     * {@link #fromCache}, one reader per chunk at a time: the kernel sends the reads of one file's next 128 KiB
     * windows at once, and each would otherwise read (and check) the whole chunk from the cache; the others wait for
     * the first one's bytes instead.
     */
    private byte[] fromCacheOnce(String file, ChunkRef c) {
        Key key = Key.of(c);
        byte[] held = RECENT.get(recentKey(key));
        if (held != null || cache == null) {
            return held;
        }
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> other = cacheReads.putIfAbsent(key, mine);
        if (other != null) {
            try {
                return other.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                return null; // its reader failed: this one fetches
            }
        }
        try {
            byte[] hit = fromCache(file, c);
            mine.complete(hit);
            return hit;
        } catch (RuntimeException | Error e) {
            mine.complete(null);
            throw e;
        } finally {
            cacheReads.remove(key, mine);
        }
    }

    /**
     * Cached bytes of {@code c}, checked the first time this mount uses them; null on a miss. The check is the
     * cache's CRC32C, recorded when the bytes were written after they had passed the chunk digest check (see
     * {@code ChunkChecksums} for why that keeps the guarantee); chunks cached without a CRC32C (by an older
     * version) are checked against the chunk digest instead, and their CRC32C recorded.
     */
    private byte[] fromCache(String file, ChunkRef c) {
        Key key = Key.of(c);
        byte[] held = RECENT.get(recentKey(key));
        if (held != null || cache == null) {
            return held;
        }
        BlobInfo blob = blob(c);
        try {
            if (verifiedInCache.contains(key)) {
                byte[] bytes = cache.get(blob, c);
                if (bytes != null) {
                    metrics.cacheRead(bytes.length);
                    RECENT.offer(recentKey(key), bytes);
                }
                return bytes;
            }
            CachedChunk hit = cache.getChecked(blob, c);
            if (hit == null) {
                return null;
            }
            metrics.cacheRead(hit.data().length);
            switch (hit.integrity()) {
                case INTACT -> { }
                case UNCHECKED -> {
                    decoder.verify(c, hit.data(), "cache " + cache.directory());
                    cache.recordChecksum(blob, c, hit.data());
                }
                case CORRUPT -> {
                    dropCorrupt(file, c, "its bytes no longer match the CRC32C recorded when they were cached");
                    return null;
                }
            }
            verifiedInCache.add(key);
            RECENT.offer(recentKey(key), hit.data());
            return hit.data();
        } catch (ChunkDigestMismatchException e) {
            dropCorrupt(file, c, e.getMessage());
            return null;
        } catch (IOException e) {
            LOG.warn("blob cache read failed for chunk {} of blob {} (file {}): {}", c.chunkIndex(), c.blobId(), file,
                    e.toString());
            return null;
        }
    }

    /** Counts, logs and forgets a cached chunk that failed its check; the caller then fetches it again. */
    private void dropCorrupt(String file, ChunkRef c, String why) {
        RECENT.invalidate(recentKey(Key.of(c)));
        metrics.verificationFailed();
        LOG.warn("cached chunk {} of blob {} (file {}) failed verification, refetching: {}", c.chunkIndex(), c.blobId(),
                file, why);
        try {
            cache.invalidate(blob(c), c);
        } catch (IOException ignored) {
            // the chunk is refetched and rewritten anyway
        }
    }

    private byte[] await(String file, ChunkRef c, CompletableFuture<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for chunk " + c.chunkIndex() + " of " + file);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ChunkReadException r) {
                throw r;
            }
            throw new ChunkReadException(file, c, "?", cause == null ? e : cause);
        }
    }

    private BlobInfo blob(ChunkRef c) {
        return image.blobs().get(c.blobIndex());
    }
}

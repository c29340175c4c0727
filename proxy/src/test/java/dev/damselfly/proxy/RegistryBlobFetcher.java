package dev.damselfly.proxy;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.proxy.p2p.BlobFetch;
import dev.damselfly.proxy.p2p.BlobFetcher;
import dev.damselfly.proxy.p2p.BlobRegions;
import dev.damselfly.proxy.p2p.BlobRequest;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test {@link BlobFetcher} that stands in for the node's download engine (written separately, in
 * chunk-exchange/peer): it fetches each blob once from the real registry with the oci
 * {@link RegistryClient} (which verifies the digest), keeps it in memory, and serves ranges of it. It
 * counts opens, closes and bytes handed out, records the requests, and can be told to fail or to stall
 * after a number of bytes, so tests can observe what the proxy does with the seam.
 */
final class RegistryBlobFetcher implements BlobFetcher {

    /**
     * What the next fetches do: serve everything, fail after some bytes, or stall after some bytes until released or
     * closed; {@code files} offers the bytes as file regions too (what the node's fetcher does), else streams only.
     */
    record Behaviour(long failAfter, long stallAfter, boolean files) {
        static Behaviour normal() {
            return new Behaviour(-1, -1, false);
        }

        static Behaviour failAfter(long bytes) {
            return new Behaviour(bytes, -1, false);
        }

        static Behaviour stallAfter(long bytes) {
            return new Behaviour(-1, bytes, false);
        }

        /** The same, offering file regions of at most {@link #REGION_BYTES}. */
        Behaviour withFiles() {
            return new Behaviour(failAfter, stallAfter, true);
        }
    }

    /** Largest region a files fetch hands out: 1 MiB (a blob is several). */
    static final int REGION_BYTES = 1 << 20;

    private final RegistryClient client;
    private final String registry;
    private final Map<Digest, byte[]> store = new ConcurrentHashMap<>();
    final AtomicInteger opens = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicLong bytesServed = new AtomicLong();
    /** Regions handed out by files fetches, and those released again (sent or dropped) by the proxy. */
    final AtomicInteger regionsHandedOut = new AtomicInteger();
    final AtomicInteger regionsReleased = new AtomicInteger();
    private final Map<String, Path> files = new ConcurrentHashMap<>();
    final List<BlobRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Behaviour behaviour = Behaviour.normal();
    private volatile CountDownLatch gate = new CountDownLatch(1);

    /**
     * @param client   a client with credentials that may read the blobs
     * @param registry the registry's host:port as in image references
     */
    RegistryBlobFetcher(RegistryClient client, String registry) {
        this.client = client;
        this.registry = registry;
    }

    void behave(Behaviour next) {
        behaviour = next;
        gate = new CountDownLatch(1);
    }

    /** Lets stalled streams continue. */
    void release() {
        gate.countDown();
    }

    boolean has(Digest digest) {
        return store.containsKey(digest);
    }

    @Override
    public BlobFetch open(BlobRequest request) throws IOException {
        opens.incrementAndGet();
        requests.add(request);
        boolean hit = store.containsKey(request.digest());
        byte[] bytes = hit ? store.get(request.digest()) : pull(request);
        return new MemoryFetch(request.digest().hex(), bytes, hit, behaviour, gate);
    }

    private Path fileOf(String taskId, byte[] bytes) throws IOException {
        try {
            return files.computeIfAbsent(taskId, id -> {
                try {
                    Path f = Files.createTempFile("regions-" + id.substring(0, 12), ".blob");
                    f.toFile().deleteOnExit();
                    return Files.write(f, bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private byte[] pull(BlobRequest request) throws IOException {
        ImageReference repo = ImageReference.parse(registry + "/" + request.repository());
        try (InputStream in = client.pullBlob(repo, request.digest(), -1)) {
            byte[] bytes = in.readAllBytes();
            store.put(request.digest(), bytes);
            return bytes;
        }
    }

    private final class MemoryFetch implements BlobFetch {
        private final String taskId;
        private final byte[] bytes;
        private final boolean hit;
        private final Behaviour behaviour;
        private final CountDownLatch gate;
        private volatile boolean closed;

        MemoryFetch(String taskId, byte[] bytes, boolean hit, Behaviour behaviour, CountDownLatch gate) {
            this.taskId = taskId;
            this.bytes = bytes;
            this.hit = hit;
            this.behaviour = behaviour;
            this.gate = gate;
        }

        @Override
        public String taskId() {
            return taskId;
        }

        @Override
        public long blobLength() {
            return bytes.length;
        }

        @Override
        public boolean fullLocalHit() {
            return hit;
        }

        @Override
        public InputStream openStream(long offset, long length) throws IOException {
            if (behaviour.failAfter() == 0) {
                throw new IOException("no parent has piece 0 and the origin refused");
            }
            return new InputStream() {
                private long position = offset;
                private final long end = offset + length;
                private long served;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (closed) {
                        throw new IOException("fetch closed");
                    }
                    if (position >= end) {
                        return -1;
                    }
                    long limit = end - position;
                    if (behaviour.failAfter() > 0) {
                        if (served >= behaviour.failAfter()) {
                            throw new IOException("piece verification failed (test)");
                        }
                        limit = Math.min(limit, behaviour.failAfter() - served);
                    }
                    if (behaviour.stallAfter() >= 0) {
                        if (served >= behaviour.stallAfter()) {
                            awaitGate();
                        } else {
                            limit = Math.min(limit, behaviour.stallAfter() - served);
                        }
                    }
                    int n = (int) Math.min(len, limit);
                    System.arraycopy(bytes, (int) position, b, off, n);
                    position += n;
                    served += n;
                    bytesServed.addAndGet(n);
                    return n;
                }

                private void awaitGate() throws IOException {
                    try {
                        while (!gate.await(20, TimeUnit.MILLISECONDS)) {
                            if (closed) {
                                throw new IOException("fetch closed while waiting for pieces");
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for pieces", e);
                    }
                }
            };
        }

        @Override
        public Optional<BlobRegions> openRegions(long offset, long length) throws IOException {
            if (!behaviour.files()) {
                return Optional.empty();
            }
            if (behaviour.failAfter() == 0) {
                throw new IOException("no parent has piece 0 and the origin refused");
            }
            Path file = fileOf(taskId, bytes);
            return Optional.of(new BlobRegions() {
                private long position = offset;
                private final long end = offset + length;

                @Override
                public FileRegion next() throws IOException {
                    if (closed) {
                        throw new IOException("fetch closed");
                    }
                    long served = position - offset;
                    if (behaviour.failAfter() > 0 && served >= behaviour.failAfter()) {
                        throw new IOException("piece verification failed (test)");
                    }
                    if (position >= end) {
                        return null;
                    }
                    long n = Math.min(REGION_BYTES, end - position);
                    if (behaviour.failAfter() > 0) {
                        n = Math.min(n, behaviour.failAfter() - served);
                    }
                    FileRegion region = new DefaultFileRegion(file.toFile(), position, n) {
                        @Override
                        protected void deallocate() {
                            regionsReleased.incrementAndGet();
                            super.deallocate();
                        }
                    };
                    position += n;
                    bytesServed.addAndGet(n);
                    regionsHandedOut.incrementAndGet();
                    return region;
                }

                @Override
                public void close() {
                    // nothing pinned: the file lives as long as the fetcher
                }
            });
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                closes.incrementAndGet();
            }
        }
    }
}

package dev.damselfly.peer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.PieceAvailability;
import dev.damselfly.exchange.PieceTransfer;
import dev.damselfly.exchange.engine.DownloadEngine;
import dev.damselfly.exchange.engine.EngineConfig;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.proxy.ProxyConfig;
import dev.damselfly.proxy.p2p.BlobFetch;
import dev.damselfly.proxy.p2p.BlobFetcher;
import dev.damselfly.scheduler.client.host.HostIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The start-up fetch through a copy of the mirror path: real piece store, engine, proxy and sockets on loopback. */
class MirrorPathWarmUpTest {
    /** Three 4 MiB pieces, the last one short. */
    private static final long BLOB_BYTES = (9L << 20) + 5;
    private static final PieceAvailability NO_PEERS = (parent, task, child, interested, listener) -> {
        throw new AssertionError("the warm-up has no scheduler, so no parents");
    };
    private static final PieceTransfer NO_TRANSFERS = (store, task, number, ip, port, timeout) -> {
        throw new AssertionError("the warm-up has no scheduler, so no parents");
    };

    @TempDir
    Path dir;
    private final OriginFactory origins = new OriginFactory();

    @AfterEach
    void closeOrigins() throws IOException {
        origins.close();
    }

    private long run(Path scratch, BiFunction<DownloadEngine, PieceStore, BlobFetcher> fetchers) throws IOException {
        HostIdentity host = HostIdentity.of("127.0.0.1", "warm-up-test", 1, dir);
        return MirrorPathWarmUp.run(scratch, BLOB_BYTES, PieceStoreConfig.builder().build(),
                store -> new DownloadEngine(EngineConfig.defaults(), store, Optional.empty(), host, NO_PEERS,
                        NO_TRANSFERS, (task, piece) -> { }, new SimpleMeterRegistry()),
                ProxyConfig.builder(), fetchers, Duration.ofSeconds(30));
    }

    private BiFunction<DownloadEngine, PieceStore, BlobFetcher> engineFetchers() {
        return (engine, store) -> new EngineBlobFetcher(engine, store, origins, 30_000);
    }

    @Test
    void theWholeBlobComesThroughAndTheScratchDirectoryIsGoneAfter() throws IOException {
        Path scratch = dir.resolve("mirror-warm-up");
        Files.createDirectories(scratch.resolve("pieces"));
        Files.writeString(scratch.resolve("left-by-a-killed-node"), "x");

        assertEquals(BLOB_BYTES, run(scratch, engineFetchers()));
        assertFalse(Files.exists(scratch), "the scratch piece store is removed");
    }

    @Test
    void aByteChangedOnTheWayFailsTheWarmUp() {
        Path scratch = dir.resolve("mirror-warm-up");
        long flipped = 5L << 20;
        IOException e = assertThrows(IOException.class, () -> run(scratch, (engine, store) -> {
            BlobFetcher real = engineFetchers().apply(engine, store);
            return request -> flipping(real.open(request), flipped);
        }));
        assertTrue(e.getMessage().contains("differs from the origin's"), e.getMessage());
        assertFalse(Files.exists(scratch));
    }

    @Test
    void aFetcherThatCannotServeFailsTheWarmUp() {
        Path scratch = dir.resolve("mirror-warm-up");
        IOException e = assertThrows(IOException.class, () -> run(scratch, (engine, store) -> request -> {
            throw new IOException("no pieces today");
        }));
        assertTrue(e.getMessage().contains("through the mirror: HTTP 5"), e.getMessage());
        assertFalse(Files.exists(scratch));
    }

    /** {@code fetch} with the byte at blob offset {@code at} inverted, served as a stream (no file regions). */
    private static BlobFetch flipping(BlobFetch fetch, long at) {
        return new BlobFetch() {
            @Override
            public String taskId() {
                return fetch.taskId();
            }

            @Override
            public long blobLength() {
                return fetch.blobLength();
            }

            @Override
            public boolean fullLocalHit() {
                return fetch.fullLocalHit();
            }

            @Override
            public InputStream openStream(long offset, long length) throws IOException {
                return new FilterInputStream(fetch.openStream(offset, length)) {
                    private long position = offset;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0 && at >= position && at < position + n) {
                            b[off + (int) (at - position)] ^= (byte) 0xff;
                        }
                        position += Math.max(n, 0);
                        return n;
                    }
                };
            }

            @Override
            public void close() {
                fetch.close();
            }
        };
    }
}

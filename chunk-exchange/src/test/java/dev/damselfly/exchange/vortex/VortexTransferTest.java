package dev.damselfly.exchange.vortex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.PieceTransferException;
import dev.damselfly.exchange.TokenBucket;
import dev.damselfly.piecestore.DigestMismatchException;
import dev.damselfly.piecestore.GcReport;
import dev.damselfly.piecestore.PieceInfo;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Vortex server and client on loopback over real piece stores. */
class VortexTransferTest {
    static {
        NettyLeaks.install();
    }

    private static final int MIB = 1 << 20;
    private static final Duration PIECE_TIMEOUT = Duration.ofSeconds(30);
    private static final String HOST_ID = "127.0.0.1-parent";

    @TempDir
    Path dir;
    PieceStore parent;
    PieceStore child;
    VortexPieceClient client;
    final List<AutoCloseable> closing = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void open() {
        parent = TestPieces.open(dir.resolve("parent"));
        child = TestPieces.open(dir.resolve("child"));
        client = new VortexPieceClient();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        client.close();
        parent.close();
        child.close();
    }

    @AfterAll
    static void noLeaks() throws InterruptedException {
        NettyLeaks.assertNoLeaks();
    }

    private VortexPieceServer server(TokenBucket rate, int maxConcurrent, UploadFaults faults) {
        return server(rate, maxConcurrent, faults, VortexPieceServer.DEFAULT_REPEAT_HOLD);
    }

    private VortexPieceServer server(TokenBucket rate, int maxConcurrent, UploadFaults faults, Duration repeatHold) {
        VortexPieceServer s = new VortexPieceServer(parent, HOST_ID, rate, maxConcurrent, faults, registry)
                .repeatHold(repeatHold)
                .start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        closing.add(s);
        return s;
    }

    private VortexPieceServer server() {
        return server(TokenBucket.unlimited(), 64, UploadFaults.NONE);
    }

    @Test
    void fourMebibytePieceArrivesByteIdentical() {
        String task = TestPieces.taskId("four");
        long length = 10L * MIB;
        TestPieces.fill(parent, task, length, 4 * MIB);
        child.createTask(task, length, 4 * MIB);
        VortexPieceServer s = server();

        for (int n = 0; n < 3; n++) {
            PieceInfo info = client.fetchInto(child, task, n, "127.0.0.1", s.port(), PIECE_TIMEOUT);
            assertEquals(parent.pieceInfo(task, n).orElseThrow().digest(), info.digest());
            assertArrayEquals(TestPieces.piece(task, n, length, 4 * MIB), TestPieces.read(child, task, n));
        }
        assertTrue(child.taskInfo(task).orElseThrow().complete());
        assertEquals(length, client.bytesReceived());
        assertEquals(length, s.uploadedBytes());
        assertEquals((double) length, registry.get(UploadMetrics.UPLOAD_TRAFFIC).counter().count());
        assertEquals(0, s.activeUploads());
    }

    @Test
    void missingPieceOrTaskIsATypedNotFound() {
        String task = TestPieces.taskId("missing");
        TestPieces.fill(parent, task, 3 * MIB, MIB, 0);
        child.createTask(task, 3 * MIB, MIB);
        VortexPieceServer s = server();

        VortexErrorException e = assertThrows(VortexErrorException.class,
                () -> client.fetchInto(child, task, 2, "127.0.0.1", s.port(), PIECE_TIMEOUT));
        assertEquals(VortexErrorCode.NOT_FOUND, e.code());
        assertEquals(2, e.pieceNumber());
        assertEquals(task, e.taskId());
        assertEquals("127.0.0.1:" + s.port(), e.parent());

        String unknown = TestPieces.taskId("unknown");
        child.createTask(unknown, MIB, MIB);
        VortexErrorException e2 = assertThrows(VortexErrorException.class,
                () -> client.fetchInto(child, unknown, 0, "127.0.0.1", s.port(), PIECE_TIMEOUT));
        assertEquals(VortexErrorCode.NOT_FOUND, e2.code());
        assertFalse(child.hasPiece(task, 2));
        assertEquals(2.0, registry.get(UploadMetrics.UPLOAD_FAILURES).tag("reason", "not_found").counter().count());
    }

    @Test
    void corruptedBodyIsCaughtAndNothingIsStored() {
        String task = TestPieces.taskId("corrupt");
        TestPieces.fill(parent, task, 2 * MIB, MIB);
        child.createTask(task, 2 * MIB, MIB);
        VortexPieceServer s = server(TokenBucket.unlimited(), 64, UploadFaults.corrupting(1.0));

        DigestMismatchException e = assertThrows(DigestMismatchException.class,
                () -> client.fetchInto(child, task, 1, "127.0.0.1", s.port(), PIECE_TIMEOUT));
        assertEquals(parent.pieceInfo(task, 1).orElseThrow().digest(), e.expected());
        assertFalse(child.hasPiece(task, 1));
        assertEquals(0, child.taskInfo(task).orElseThrow().storedPieces());
    }

    @Test
    void uploadRateLimitSlowsTheTransfer() {
        String task = TestPieces.taskId("slow");
        TestPieces.fill(parent, task, 4 * MIB, 4 * MIB);
        child.createTask(task, 4 * MIB, 4 * MIB);
        // 2 MiB/s with a 2 MiB burst: a 4 MiB piece must wait about 1 s before it is sent
        VortexPieceServer s = server(new TokenBucket(2 * MIB), 64, UploadFaults.NONE);
        long start = System.nanoTime();
        client.fetchInto(child, task, 0, "127.0.0.1", s.port(), PIECE_TIMEOUT);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 800, "rate-limited 4 MiB piece took only " + ms + " ms");
        assertTrue(child.hasPiece(task, 0));
    }

    @Test
    void sixteenParallelFetches() throws Exception {
        String task = TestPieces.taskId("parallel");
        int pieceLength = 256 << 10;
        long length = 32L * pieceLength - 1000;
        TestPieces.fill(parent, task, length, pieceLength);
        child.createTask(task, length, pieceLength);
        VortexPieceServer s = server();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<PieceInfo>> all = new ArrayList<>();
            for (int n = 0; n < 32; n++) {
                int number = n;
                all.add(pool.submit(() -> client.fetchInto(child, task, number, "127.0.0.1", s.port(),
                        PIECE_TIMEOUT)));
            }
            for (Future<PieceInfo> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        for (int n = 0; n < 32; n++) {
            assertArrayEquals(TestPieces.piece(task, n, length, pieceLength), TestPieces.read(child, task, n));
        }
        assertEquals(length, s.uploadedBytes());
    }

    @Test
    void concurrencyCapRefusesExtraUploads() throws Exception {
        String task = TestPieces.taskId("cap");
        TestPieces.fill(parent, task, 2 * MIB, MIB);
        child.createTask(task, 2 * MIB, MIB);
        // one permit, and the first upload waits ~1.5 s on the rate limit (0.5 MiB burst, then 1 MiB at 0.5 MiB/s)
        VortexPieceServer s = server(new TokenBucket(MIB / 2), 1, UploadFaults.NONE);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<PieceInfo> first = pool.submit(() -> client.fetchInto(child, task, 0, "127.0.0.1", s.port(),
                    PIECE_TIMEOUT));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (s.activeUploads() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            VortexErrorException e = assertThrows(VortexErrorException.class,
                    () -> client.fetchInto(child, task, 1, "127.0.0.1", s.port(), PIECE_TIMEOUT));
            assertEquals(VortexErrorCode.INTERNAL, e.code());
            first.get();
        } finally {
            pool.shutdownNow();
        }
        assertTrue(child.hasPiece(task, 0));
        assertFalse(child.hasPiece(task, 1));
    }

    /** Waits up to 2 s for the server to have {@code n} uploads in progress. */
    private static void awaitActive(VortexPieceServer s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (s.activeUploads() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, s.activeUploads(), "uploads in progress");
    }

    /** What a test does while the child fetches pieces 0 and 1 from the server (both in flight). */
    private interface WhileInFlight {
        void run(VortexPieceServer s, String task, PieceStore second) throws Exception;
    }

    /**
     * Serves a 3 MiB task of 1 MiB pieces at 0.5 MiB/s (after a 0.5 MiB burst) with {@code repeatHold}, has the child
     * fetch pieces 0 and 1 (each in flight for seconds) and runs {@code during} meanwhile with a second, empty store;
     * returns that store once both fetches completed.
     */
    private PieceStore withTwoPiecesInFlight(String name, Duration repeatHold, WhileInFlight during) throws Exception {
        String task = TestPieces.taskId(name);
        TestPieces.fill(parent, task, 3 * MIB, MIB);
        child.createTask(task, 3 * MIB, MIB);
        VortexPieceServer s = server(new TokenBucket(MIB / 2), 4, UploadFaults.NONE, repeatHold);
        PieceStore second = TestPieces.open(dir.resolve("second"));
        closing.add(second);
        second.createTask(task, 3 * MIB, MIB);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<PieceInfo> zero = pool.submit(() -> client.fetchInto(child, task, 0, "127.0.0.1", s.port(),
                    PIECE_TIMEOUT));
            awaitActive(s, 1);
            Future<PieceInfo> one = pool.submit(() -> client.fetchInto(child, task, 1, "127.0.0.1", s.port(),
                    PIECE_TIMEOUT));
            awaitActive(s, 2);
            during.run(s, task, second);
            zero.get();
            one.get();
        } finally {
            pool.shutdownNow();
        }
        awaitActive(s, 0);
        return second;
    }

    @Test
    void aRepeatOfAPieceInFlightIsDeflectedWhileOtherPiecesAreSentAndServedOnceTheServerIsOtherwiseIdle()
            throws Exception {
        VortexPieceServer[] server = new VortexPieceServer[1];
        String task = TestPieces.taskId("repeat");
        PieceStore second = withTwoPiecesInFlight("repeat", Duration.ofMinutes(1), (s, t, store) -> {
            server[0] = s;
            VortexErrorException e = assertThrows(VortexErrorException.class,
                    () -> client.fetchInto(store, t, 0, "127.0.0.1", s.port(), PIECE_TIMEOUT));
            assertEquals(VortexErrorCode.INTERNAL, e.code());
            assertTrue(e.repeatDeflected(), e.getMessage());
            assertFalse(e.parentBusy(), "a deflected repeat is not a busy answer: " + e.getMessage());
            assertFalse(store.hasPiece(t, 0));
        });
        // nothing else to send: the repeat is served, though its last copy ended within the hold
        PieceInfo again = client.fetchInto(second, task, 0, "127.0.0.1", server[0].port(), PIECE_TIMEOUT);
        assertEquals(MIB, again.length());
        assertTrue(second.hasPiece(task, 0));
        assertEquals(1.0, registry.get("dragonfly.client.upload.piece.failure.total").tag("reason", "repeat")
                .counter().count());
    }

    @Test
    void withNoRepeatHoldARepeatIsServedWhileOtherPiecesAreSent() throws Exception {
        PieceStore second = withTwoPiecesInFlight("no-hold", Duration.ZERO, (s, t, store) ->
                assertEquals(MIB, client.fetchInto(store, t, 0, "127.0.0.1", s.port(), PIECE_TIMEOUT).length()));
        assertTrue(second.hasPiece(TestPieces.taskId("no-hold"), 0));
    }

    @Test
    void anUploadInFlightPinsItsTaskAgainstGarbageCollection() throws Exception {
        // a parent whose tasks expire 1 ms after their last access: a GC run deletes every task nobody pins
        PieceStore expiring = PieceStore.open(dir.resolve("expiring"), PieceStoreConfig.builder()
                .gcInterval(Duration.ZERO).syncWrites(false).taskTtl(Duration.ofMillis(1)).build());
        closing.add(expiring);
        String task = TestPieces.taskId("pinned");
        TestPieces.fill(expiring, task, MIB, MIB);
        child.createTask(task, MIB, MIB);
        // 0.5 MiB burst, then 0.5 MiB/s: the upload waits about 1 s on the rate limit
        VortexPieceServer s = new VortexPieceServer(expiring, HOST_ID, new TokenBucket(MIB / 2), 4, UploadFaults.NONE,
                registry).start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
        closing.add(0, s);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<PieceInfo> upload = pool.submit(() -> client.fetchInto(child, task, 0, "127.0.0.1", s.port(),
                    PIECE_TIMEOUT));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (s.activeUploads() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(20); // past the TTL
            GcReport report = expiring.gc();
            assertEquals(0, report.tasksEvicted(), "the task being uploaded was collected: " + report);
            assertTrue(expiring.taskInfo(task).isPresent());
            upload.get();
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(TestPieces.piece(task, 0, MIB, MIB), TestPieces.read(child, task, 0));
        Thread.sleep(20);
        assertEquals(1, expiring.gc().tasksEvicted(), "once sent, the idle task expires as before");
    }

    @Test
    void malformedRequestGetsInvalidArgument() throws Exception {
        VortexPieceServer s = server();
        try (Socket sock = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
            byte[] req = drain(VortexCodec.encodeDownloadPiece(ByteBufAllocator.DEFAULT, (byte) 4,
                    TestPieces.taskId("x"), 0));
            req[10] = 'q';
            sock.getOutputStream().write(req);
            DataInputStream in = new DataInputStream(sock.getInputStream());
            assertEquals(4, in.readUnsignedByte());
            assertEquals(255, in.readUnsignedByte());
            int len = in.readInt();
            assertEquals(VortexErrorCode.INVALID_ARGUMENT.wire(), in.readUnsignedByte());
            assertEquals(':', in.readUnsignedByte());
            in.readFully(new byte[len - 2]);
            assertEquals(-1, in.read(), "the server closes after the error");
        }
    }

    @Test
    void serverClosingMidBodyFailsFast() throws Exception {
        assertFailsFast(false);
    }

    @Test
    void serverResettingMidBodyFailsFast() throws Exception {
        assertFailsFast(true);
    }

    private void assertFailsFast(boolean reset) throws Exception {
        String task = TestPieces.taskId("midbody");
        child.createTask(task, 4 * MIB, 4 * MIB);
        PieceMetadata md = new PieceMetadata(0, 0, 4 * MIB, "crc32:1", "bad-parent", 1, 0, 0);
        try (FakeParent fake = new FakeParent(out -> {
            out.write(drain(VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0,
                    md)));
            out.write(new byte[MIB]);
            out.flush();
        }, reset)) {
            long start = System.nanoTime();
            PieceTransferException e = assertThrows(PieceTransferException.class,
                    () -> client.fetchInto(child, task, 0, "127.0.0.1", fake.port(), PIECE_TIMEOUT));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 1000, "dead parent detected after " + ms + " ms: " + e);
            assertFalse(e instanceof VortexErrorException);
        }
        assertFalse(child.hasPiece(task, 0));
    }

    @Test
    void emptyDigestIsRefused() throws Exception {
        String task = TestPieces.taskId("nodigest");
        child.createTask(task, 1000, 1000);
        PieceMetadata md = new PieceMetadata(0, 0, 1000, "", "", 1, 0, 0);
        try (FakeParent fake = new FakeParent(out -> {
            out.write(drain(VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0,
                    md)));
            out.write(new byte[1000]);
        }, false)) {
            PieceTransferException e = assertThrows(PieceTransferException.class,
                    () -> client.fetchInto(child, task, 0, "127.0.0.1", fake.port(), PIECE_TIMEOUT));
            assertTrue(e.getMessage().contains("empty piece digest"), e.getMessage());
        }
        assertFalse(child.hasPiece(task, 0));
    }

    @Test
    void replyForAnotherPieceIsRefused() throws Exception {
        String task = TestPieces.taskId("other");
        child.createTask(task, 2000, 1000);
        PieceMetadata md = new PieceMetadata(1, 1000, 1000, "crc32:1", "", 1, 0, 0);
        try (FakeParent fake = new FakeParent(out -> out.write(drain(
                VortexCodec.encodePieceContentHeader(ByteBufAllocator.DEFAULT, (byte) 0, md))), false)) {
            PieceTransferException e = assertThrows(PieceTransferException.class,
                    () -> client.fetchInto(child, task, 0, "127.0.0.1", fake.port(), PIECE_TIMEOUT));
            assertTrue(e.getMessage().contains("expected piece 0"), e.getMessage());
        }
    }

    @Test
    void silentParentTimesOutAndRefusedConnectionFailsFast() throws Exception {
        String task = TestPieces.taskId("silent");
        child.createTask(task, 1000, 1000);
        try (FakeParent fake = new FakeParent(out -> Thread.sleep(3000), false)) {
            long start = System.nanoTime();
            PieceTransferException e = assertThrows(PieceTransferException.class,
                    () -> client.fetchInto(child, task, 0, "127.0.0.1", fake.port(), Duration.ofMillis(300)));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 250 && ms < 2000, ms + " ms: " + e);
            assertTrue(e.getMessage().contains("within 300 ms"), e.getMessage());
        }
        int closedPort;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        long start = System.nanoTime();
        PieceTransferException refused = assertThrows(PieceTransferException.class,
                () -> client.fetchInto(child, task, 0, "127.0.0.1", closedPort, PIECE_TIMEOUT));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, refused.toString());
        assertTrue(refused.getMessage().contains("cannot connect"), refused.getMessage());
    }

    /** The bytes of an encoded packet; releases it. */
    private static byte[] drain(io.netty.buffer.ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    /** A hand-written parent on a real socket: reads one request, runs a script, then closes (or resets). */
    static final class FakeParent implements AutoCloseable {
        interface Script {
            void run(OutputStream out) throws Exception;
        }

        private final ServerSocket socket;
        private final Thread thread;

        FakeParent(Script script, boolean reset) throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    in.readNBytes(VortexCodec.HEADER_LENGTH + VortexCodec.DOWNLOAD_PIECE_LENGTH);
                    script.run(s.getOutputStream());
                    if (reset) {
                        s.setSoLinger(true, 0);
                    }
                } catch (Exception ignored) {
                    // the test observes the client side
                }
            }, "fake-parent");
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.interrupt();
            thread.join(5000);
        }
    }
}

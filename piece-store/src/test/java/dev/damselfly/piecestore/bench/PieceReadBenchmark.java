package dev.damselfly.piecestore.bench;

import dev.damselfly.piecestore.PieceDigests;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import dev.damselfly.piecestore.ReadVerification;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Piece reads through the store against plain {@link FileChannel} reads of the same bytes on the same disk, one
 * operation = one piece (random piece of a 256 MiB working set that fits the page cache).
 *
 * <ul>
 *   <li>{@code storeRead}: {@code readPiece(task, n, dst)} into a reused heap buffer, hot cache off, with
 *       {@code verification} = {@code EVERY_READ} (CRC-32 on every read, the default) or
 *       {@code AFTER_UNCLEAN_STOP}. {@code plainRead}: positional read of the same range into a reused heap
 *       buffer.</li>
 *   <li>{@code pageCache}: {@code written} leaves each file's pages as its writes left them (the store writes
 *       with direct I/O, so its pages are filled by the benchmark's first random reads, while the plain file's
 *       come from its buffered writes); {@code dropped} evicts both files' pages after writing, so both are filled
 *       alike, by the same random reads. How the kernel fills the page cache decides how fast it is read later:
 *       on the bench VM, pages filled by random 4 MiB reads are read back at about 6.5 GB/s, pages filled by
 *       buffered writes or sequential reads at about 17 GB/s.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class PieceReadBenchmark {
    /** Piece size in bytes: 4 MiB and 16 KiB. */
    @Param({"4194304", "16384"})
    public int pieceBytes;

    @Param({"EVERY_READ", "AFTER_UNCLEAN_STOP"})
    public String verification;

    @Param({"written", "dropped"})
    public String pageCache;

    private static final long WORKING_SET = 256L << 20;

    private Path dir;
    private PieceStore store;
    private FileChannel plain;
    private ByteBuffer piece;
    private String digest;
    private ByteBuffer dst;
    private int readPieces;
    private String readTask;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = BenchFiles.newDir("piece-io");
        store = PieceStore.open(dir.resolve("store"), PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .hotCacheBytes(0).syncWrites(false).readVerification(ReadVerification.valueOf(verification)).build());
        plain = FileChannel.open(dir.resolve("plain"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        byte[] bytes = new byte[pieceBytes];
        random = new SplittableRandom(7);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        piece = ByteBuffer.wrap(bytes);
        digest = PieceDigests.crc32(piece);
        dst = ByteBuffer.allocate(pieceBytes);
        // read working set: the same bytes in the store and in the plain file
        readPieces = (int) (WORKING_SET / pieceBytes);
        readTask = "read-set";
        store.createTask(readTask, (long) readPieces * pieceBytes, pieceBytes);
        for (int n = 0; n < readPieces; n++) {
            store.writePiece(readTask, n, piece, digest);
            plain.write(piece.duplicate(), (long) n * pieceBytes);
        }
        plain.force(false);
        if (pageCache.equals("dropped")) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                        .filter(f -> f.toFile().length() >= WORKING_SET)::iterator) {
                    evictPages(f);
                }
            }
        }
    }

    /** Drops the file's clean pages from the page cache: {@code dd iflag=nocache count=0} (posix_fadvise DONTNEED). */
    private static void evictPages(Path file) throws IOException {
        Process dd = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true).start();
        try {
            String out = new String(dd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (dd.waitFor() != 0) {
                throw new IOException("dd could not evict the pages of " + file + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted evicting the pages of " + file, e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        plain.close();
        BenchFiles.deleteTree(dir);
    }

    @Benchmark
    public int storeRead() {
        dst.clear();
        return store.readPiece(readTask, random.nextInt(readPieces), dst);
    }

    @Benchmark
    public int plainRead() throws IOException {
        dst.clear();
        long pos = (long) random.nextInt(readPieces) * pieceBytes;
        while (dst.hasRemaining()) {
            int n = plain.read(dst, pos + dst.position());
            if (n < 0) {
                throw new IOException("short file");
            }
        }
        return dst.position();
    }
}

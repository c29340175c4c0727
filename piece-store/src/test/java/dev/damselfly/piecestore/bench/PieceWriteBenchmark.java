package dev.damselfly.piecestore.bench;

import dev.damselfly.piecestore.PieceDigests;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Piece writes through the store against plain {@link FileChannel} writes of the same bytes on the same disk,
 * one operation = one piece. {@code storeWrite}: {@code writePiece} with its {@code crc32:} digest (CRC check,
 * positional write, {@code force(false)}, synced RocksDB batch). {@code plainWrite}: positional write and
 * {@code force(false)} of the same bytes to one file. Both are durable when the operation returns.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
public class PieceWriteBenchmark {
    /** Piece size in bytes: 4 MiB and 16 KiB. */
    @Param({"4194304", "16384"})
    public int pieceBytes;

    /** {@code PieceStoreConfig.syncMetadata}: sync the RocksDB WAL per piece (default) or not (Dragonfly's setting). */
    @Param({"true", "false"})
    public boolean syncMetadata;

    private static final int WRITE_PIECES_PER_TASK = 4096;

    private Path dir;
    private PieceStore store;
    private FileChannel plain;
    private ByteBuffer piece;
    private String digest;
    private long plainWritePos;
    private int writeTaskSerial;
    private String writeTask;
    private int writeNext;
    private SplittableRandom random;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = BenchFiles.newDir("piece-io");
        store = PieceStore.open(dir.resolve("store"), PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .hotCacheBytes(0).syncMetadata(syncMetadata).build());
        plain = FileChannel.open(dir.resolve("plain"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        byte[] bytes = new byte[pieceBytes];
        random = new SplittableRandom(7);
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        piece = ByteBuffer.wrap(bytes);
        digest = PieceDigests.crc32(piece);
        plainWritePos = 0;
        newWriteTask();
    }

    private void newWriteTask() {
        writeTask = "write-" + writeTaskSerial++;
        store.createTask(writeTask, (long) WRITE_PIECES_PER_TASK * pieceBytes, pieceBytes);
        writeNext = 0;
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        store.close();
        plain.close();
        BenchFiles.deleteTree(dir);
    }

    @Benchmark
    public Object storeWrite() {
        if (writeNext == WRITE_PIECES_PER_TASK) {
            store.deleteTask(writeTask);
            newWriteTask();
        }
        return store.writePiece(writeTask, writeNext++, piece, digest);
    }

    @Benchmark
    public int plainWrite() throws IOException {
        ByteBuffer src = piece.duplicate();
        long pos = plainWritePos;
        while (src.hasRemaining()) {
            pos += plain.write(src, pos);
        }
        plain.force(false);
        plainWritePos = pos;
        if (plainWritePos >= (long) WRITE_PIECES_PER_TASK * pieceBytes) {
            plainWritePos = 0; // wrap like the store, which starts a new task file
        }
        return src.position();
    }
}

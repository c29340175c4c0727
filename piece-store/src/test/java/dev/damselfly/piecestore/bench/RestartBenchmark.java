package dev.damselfly.piecestore.bench;

import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to open a store holding 100,000 pieces (100 tasks × 1,000 pieces of 4 KiB), i.e. until it serves reads:
 * RocksDB open, loading every task and piece record, the orphan sweep. Content is not read. The store was
 * closed cleanly; after an unclean stop the work is the same (verification is lazy).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class RestartBenchmark {
    static final int TASKS = 100;
    static final int PIECES_PER_TASK = 1000;
    static final int PIECE = 4096;

    private Path dir;
    private PieceStore opened;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        dir = BenchFiles.newDir("restart");
        PieceStoreConfig fast = PieceStoreConfig.builder().gcInterval(Duration.ZERO).syncWrites(false).build();
        ByteBuffer bytes = ByteBuffer.allocate(PIECE);
        try (PieceStore s = PieceStore.open(dir, fast)) {
            for (int t = 0; t < TASKS; t++) {
                String id = String.format("%064x", t);
                s.createTask(id, (long) PIECES_PER_TASK * PIECE, PIECE);
                for (int n = 0; n < PIECES_PER_TASK; n++) {
                    bytes.putInt(0, t * PIECES_PER_TASK + n);
                    s.writePiece(id, n, bytes, null);
                }
            }
        }
    }

    @Benchmark
    public PieceStore open() {
        opened = PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).build());
        return opened;
    }

    @TearDown(Level.Invocation)
    public void closeStore() {
        if (opened != null) {
            opened.close();
            opened = null;
        }
    }

    @TearDown(Level.Trial)
    public void clean() throws IOException {
        BenchFiles.deleteTree(dir);
    }
}

package dev.damselfly.exchange.vortex;

import dev.damselfly.piecestore.PieceDigests;
import dev.damselfly.piecestore.PieceGeometry;
import dev.damselfly.piecestore.PieceStore;
import dev.damselfly.piecestore.PieceStoreConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/** Test support: real piece stores in a temporary directory and deterministic task contents. */
public final class TestPieces {
    private TestPieces() {
    }

    /** A real store without periodic GC and without fsync (fast; crash safety is not under test here). */
    public static PieceStore open(Path dir) {
        return PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO).syncWrites(false).build());
    }

    /** A 64-hex task id derived from {@code name}. */
    public static String taskId(String name) {
        String h = Integer.toHexString(name.hashCode());
        return ("0".repeat(64) + h).substring(h.length());
    }

    /** The deterministic bytes of piece {@code n} of a task. */
    public static byte[] piece(String taskId, int n, long contentLength, int pieceLength) {
        byte[] b = new byte[PieceGeometry.length(n, contentLength, pieceLength)];
        new Random(taskId.hashCode() * 31L + n).nextBytes(b);
        return b;
    }

    /** Creates the task in {@code store} and stores the listed pieces (all when none are listed). */
    public static void fill(PieceStore store, String taskId, long contentLength, int pieceLength, int... pieces) {
        store.createTask(taskId, contentLength, pieceLength);
        int count = PieceGeometry.pieceCount(contentLength, pieceLength);
        if (pieces.length == 0) {
            pieces = java.util.stream.IntStream.range(0, count).toArray();
        }
        for (int n : pieces) {
            write(store, taskId, n, contentLength, pieceLength);
        }
    }

    /** Stores piece {@code n} (the task must exist). */
    public static void write(PieceStore store, String taskId, int n, long contentLength, int pieceLength) {
        ByteBuffer b = ByteBuffer.wrap(piece(taskId, n, contentLength, pieceLength));
        store.writePiece(taskId, n, b, PieceDigests.crc32(b));
    }

    /** A piece's bytes as stored. */
    public static byte[] read(PieceStore store, String taskId, int n) {
        ByteBuffer b = store.readPiece(taskId, n);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}

package dev.damselfly.piecestore;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The process {@link CrashRecoveryTest} kills: opens the store in {@code args[0]} (seed {@code args[1]},
 * {@code syncMetadata} = {@code args[2]}, default true) and writes pieces from two
 * threads for ever, printing {@code OK <task> <piece>} after each write returns (an acknowledged piece must
 * survive a SIGKILL). A third thread creates, fills and deletes scratch tasks, which nobody checks for
 * durability. Never exits by itself.
 */
public final class CrashWriter {
    static final int PLEN = 64 << 10;
    static final long LEN = 24L * PLEN - 777;
    static final int TASKS = 4;

    private CrashWriter() {
    }

    static String durableTask(int i) {
        return TestData.taskId("crash-durable-" + i);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
        boolean syncMetadata = args.length < 3 || Boolean.parseBoolean(args[2]);
        PieceStore s = PieceStore.open(dir, PieceStoreConfig.builder().gcInterval(Duration.ZERO)
                .syncMetadata(syncMetadata).build());
        for (int i = 0; i < TASKS; i++) {
            s.createTask(durableTask(i), LEN, PLEN);
        }
        Runnable writer = () -> {
            SplittableRandom r = new SplittableRandom(seed ^ Thread.currentThread().getId());
            while (true) {
                String id = durableTask(r.nextInt(TASKS));
                int n = r.nextInt(PieceGeometry.pieceCount(LEN, PLEN));
                ByteBuffer b = TestData.buffer(id, n, LEN, PLEN);
                s.writePiece(id, n, b, PieceDigests.crc32(b));
                synchronized (out) {
                    out.println("OK " + id + " " + n);
                    out.flush();
                }
            }
        };
        Runnable scratch = () -> {
            SplittableRandom r = new SplittableRandom(seed);
            while (true) {
                String id = TestData.taskId("crash-scratch-" + r.nextInt(3));
                s.createTask(id, LEN, PLEN);
                for (int k = 0; k < 4; k++) {
                    int n = r.nextInt(PieceGeometry.pieceCount(LEN, PLEN));
                    s.writePiece(id, n, TestData.buffer(id, n, LEN, PLEN), null);
                }
                s.deleteTask(id);
            }
        };
        Thread a = new Thread(writer, "w1");
        Thread b = new Thread(writer, "w2");
        Thread c = new Thread(scratch, "scratch");
        a.start();
        b.start();
        c.start();
        synchronized (out) {
            out.println("STARTED");
            out.flush();
        }
        a.join();
    }
}

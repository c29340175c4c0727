package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Binary encoding of the RocksDB keys and values (big-endian, a leading format byte per value).
 *
 * <ul>
 *   <li>{@code task} CF: key = task id (UTF-8); value = {@code 1, contentLength u64, pieceLength u32,
 *       createdAt ms u64, lastAccess ms u64}.</li>
 *   <li>{@code piece} CF: key = task id, {@code '/'}, number u32 (so one task's pieces are one key range, in
 *       number order); value = {@code 1, length u32, crc32 u32, hasSha u8, [sha256 32 bytes], committedAt ms u64}.</li>
 *   <li>{@code chunk} CF: key = chunk digest (UTF-8); value = {@code 1, offset u64, length u32, task id UTF-8}.</li>
 * </ul>
 */
final class RecordCodec {
    static final byte FORMAT = 1;
    private static final byte SEPARATOR = '/';

    private RecordCodec() {
    }

    record TaskRecord(long contentLength, int pieceLength, long createdAtMillis, long lastAccessMillis) {
    }

    record PieceRecord(int number, int length, int crc, byte[] sha256, long committedAtMillis) {
    }

    static byte[] taskKey(String taskId) {
        return taskId.getBytes(StandardCharsets.UTF_8);
    }

    static String taskIdOf(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    static byte[] encodeTask(TaskRecord t) {
        return ByteBuffer.allocate(1 + 8 + 4 + 8 + 8).put(FORMAT).putLong(t.contentLength()).putInt(t.pieceLength())
                .putLong(t.createdAtMillis()).putLong(t.lastAccessMillis()).array();
    }

    static TaskRecord decodeTask(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        checkFormat(b.get(), "task");
        return new TaskRecord(b.getLong(), b.getInt(), b.getLong(), b.getLong());
    }

    static byte[] pieceKey(String taskId, int number) {
        byte[] id = taskKey(taskId);
        return ByteBuffer.allocate(id.length + 1 + 4).put(id).put(SEPARATOR).putInt(number).array();
    }

    /** First key of a task's piece range (inclusive). */
    static byte[] piecePrefix(String taskId) {
        byte[] id = taskKey(taskId);
        return ByteBuffer.allocate(id.length + 1).put(id).put(SEPARATOR).array();
    }

    /** First key after a task's piece range (exclusive end for {@code deleteRange}). */
    static byte[] piecePrefixEnd(String taskId) {
        byte[] p = piecePrefix(taskId);
        p[p.length - 1] = SEPARATOR + 1;
        return p;
    }

    /** Splits a piece key into task id and number, or returns null if it is not one. */
    static Object[] splitPieceKey(byte[] key) {
        if (key.length < 6 || key[key.length - 5] != SEPARATOR) {
            return null;
        }
        String taskId = new String(key, 0, key.length - 5, StandardCharsets.UTF_8);
        int number = ByteBuffer.wrap(key, key.length - 4, 4).getInt();
        return new Object[] {taskId, number};
    }

    static byte[] encodePiece(PieceRecord p) {
        boolean sha = p.sha256() != null;
        ByteBuffer b = ByteBuffer.allocate(1 + 4 + 4 + 1 + (sha ? 32 : 0) + 8);
        b.put(FORMAT).putInt(p.length()).putInt(p.crc()).put((byte) (sha ? 1 : 0));
        if (sha) {
            b.put(p.sha256());
        }
        return b.putLong(p.committedAtMillis()).array();
    }

    static PieceRecord decodePiece(int number, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        checkFormat(b.get(), "piece");
        int length = b.getInt();
        int crc = b.getInt();
        byte[] sha = null;
        if (b.get() != 0) {
            sha = new byte[32];
            b.get(sha);
        }
        return new PieceRecord(number, length, crc, sha, b.getLong());
    }

    static byte[] chunkKey(String digest) {
        return digest.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] encodeChunk(ChunkLocation c) {
        byte[] id = taskKey(c.taskId());
        return ByteBuffer.allocate(1 + 8 + 4 + id.length).put(FORMAT).putLong(c.offset()).putInt(c.length()).put(id)
                .array();
    }

    static ChunkLocation decodeChunk(byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(v);
        checkFormat(b.get(), "chunk");
        long offset = b.getLong();
        int length = b.getInt();
        String taskId = new String(v, b.position(), b.remaining(), StandardCharsets.UTF_8);
        return new ChunkLocation(taskId, offset, length);
    }

    private static void checkFormat(byte f, String kind) {
        if (f != FORMAT) {
            throw new IllegalStateException("unknown " + kind + " record format " + f);
        }
    }
}

package dev.damselfly.piecestore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic piece contents and task ids for tests, so any read can be checked byte for byte. */
final class TestData {
    private TestData() {
    }

    /** A 64-hex-char task id derived from a label. */
    static String taskId(String label) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The bytes of piece {@code number} of {@code taskId} for a task of the given geometry. */
    static byte[] piece(String taskId, int number, long contentLength, int pieceLength) {
        int len = PieceGeometry.length(number, contentLength, pieceLength);
        byte[] b = new byte[len];
        SplittableRandom r = new SplittableRandom(taskId.hashCode() * 1_000_003L + number);
        for (int i = 0; i < len; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < len; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    static ByteBuffer buffer(String taskId, int number, long contentLength, int pieceLength) {
        return ByteBuffer.wrap(piece(taskId, number, contentLength, pieceLength));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}

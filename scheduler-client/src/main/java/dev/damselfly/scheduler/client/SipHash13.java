package dev.damselfly.scheduler.client;

/** SipHash-1-3 with the zero key, as Rust's {@code std::collections::hash_map::DefaultHasher::new()}. */
final class SipHash13 {
    private SipHash13() {
    }

    static long hash(byte[] data) {
        long v0 = 0x736f6d6570736575L;
        long v1 = 0x646f72616e646f6dL;
        long v2 = 0x6c7967656e657261L;
        long v3 = 0x7465646279746573L;
        int len = data.length;
        int end = len - (len % 8);
        for (int i = 0; i < end; i += 8) {
            long m = 0;
            for (int j = 7; j >= 0; j--) {
                m = (m << 8) | (data[i + j] & 0xffL);
            }
            v3 ^= m;
            long[] s = round(v0, v1, v2, v3);
            v0 = s[0] ^ m;
            v1 = s[1];
            v2 = s[2];
            v3 = s[3];
        }
        long b = ((long) len) << 56;
        for (int j = len - 1; j >= end; j--) {
            b |= (data[j] & 0xffL) << (8 * (j - end));
        }
        v3 ^= b;
        long[] s = round(v0, v1, v2, v3);
        v0 = s[0] ^ b;
        v1 = s[1];
        v2 = s[2] ^ 0xff;
        v3 = s[3];
        for (int r = 0; r < 3; r++) {
            s = round(v0, v1, v2, v3);
            v0 = s[0];
            v1 = s[1];
            v2 = s[2];
            v3 = s[3];
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static long[] round(long v0, long v1, long v2, long v3) {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
        return new long[] {v0, v1, v2, v3};
    }
}

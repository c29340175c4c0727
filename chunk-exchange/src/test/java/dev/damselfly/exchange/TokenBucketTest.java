package dev.damselfly.exchange;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void unlimitedNeverWaits() throws Exception {
        TokenBucket bucket = TokenBucket.unlimited();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            bucket.acquire(1L << 30);
        }
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "an unlimited bucket must not wait");
    }

    @Test
    void holdsTheAverageRate() throws Exception {
        TokenBucket bucket = new TokenBucket(1_000_000); // 1 MB/s, starts with one second of tokens
        long start = System.nanoTime();
        for (int i = 0; i < 15; i++) {
            bucket.acquire(100_000); // 1.5 MB in all: 1 MB free, 0.5 MB must wait ~0.5 s
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(elapsedMs >= 400, "1.5 MB at 1 MB/s with a 1 MB burst took only " + elapsedMs + " ms");
        assertTrue(elapsedMs < 3000, "took " + elapsedMs + " ms");
    }

    @Test
    void rejectsNegativeRate() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1));
    }
}

package dev.damselfly.rafs.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

/**
 * {@link ChunkCodecWarmUp} runs every codec (each round trip checked byte for byte; a codec that gives back other
 * bytes fails it) and stops digesting once BLAKE3 is fast, within its bound.
 */
class ChunkCodecWarmUpTest {
    @Test
    void runsEveryCodecAndEndsWithinItsBound() throws Exception {
        int digests = ChunkCodecWarmUp.warmUp();
        assertTrue(digests >= 1 && digests <= ChunkCodecWarmUp.MAX_DIGESTS, "BLAKE3 digests: " + digests);
        byte[] d = Blake3Test.pattern(ChunkCodecWarmUp.SAMPLE_BYTES);
        assertArrayEquals(Blake3.hash(d, 0, d.length), DigestAlgorithm.BLAKE3.digest(d, 0, d.length, ForkJoinPool.commonPool()),
                "digests after the warm-up are the same");
    }
}

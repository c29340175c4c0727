package dev.damselfly.rafs.codec;

import com.github.luben.zstd.Zstd;
import dev.damselfly.rafs.RafsFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import java.util.zip.GZIPOutputStream;

/**
 * Runs the chunk read path's codecs on throwaway bytes, so that a long-running process (a node, a mount) pays for
 * loading and compiling them at start instead of in its first chunk read, while a container waits. Measured on a
 * fresh JVM here: the first BLAKE3 digest of a 1 MiB chunk takes 260–350 ms (the compression function interpreted,
 * then C1-compiled) against under 2 ms once C2 has compiled it; the first zstd call 55–80 ms (loading zstd-jni's
 * native library) and the first decompression another 30 ms.
 */
public final class ChunkCodecWarmUp {
    /** Sample hashed and compressed, in bytes: 1 MiB (Nydus's default chunk; half zeros, half random). */
    static final int SAMPLE_BYTES = 1 << 20;
    /**
     * A digest of the sample at least this fast ends the BLAKE3 warm-up: 2 ms (500 MB/s, split on the common pool;
     * C2-compiled code takes about 1 ms here, C1 code 3–20 ms, interpreted code up to 350 ms).
     */
    static final long FAST_DIGEST_NANOS = 2_000_000L;
    /** Most sample digests before giving up on that: 64 (normally 10–20). */
    static final int MAX_DIGESTS = 64;

    private ChunkCodecWarmUp() {
    }

    /**
     * Decompresses a sample with every compression and digests it with both digest algorithms (BLAKE3 the way chunk
     * verification calls it, split on the common pool) until a BLAKE3 digest is fast. Returns how many BLAKE3
     * digests that took. Safe to call any number of times, from any thread.
     *
     * @throws RafsFormatException when a codec does not give back what it was given (a broken installation)
     */
    public static int warmUp() throws RafsFormatException {
        byte[] sample = new byte[SAMPLE_BYTES];
        byte[] random = new byte[SAMPLE_BYTES / 2];
        new SplittableRandom(SAMPLE_BYTES).nextBytes(random);
        System.arraycopy(random, 0, sample, SAMPLE_BYTES / 2, random.length);
        roundTrip(Compression.ZSTD, Zstd.compress(sample, 3), sample);
        roundTrip(Compression.LZ4_BLOCK, Lz4.factory().fastCompressor().compress(sample), sample);
        roundTrip(Compression.GZIP, gzip(sample), sample);
        DigestAlgorithm.SHA256.digest(sample, 0, sample.length);
        int digests = 0;
        long took;
        do {
            long t0 = System.nanoTime();
            DigestAlgorithm.BLAKE3.digest(sample, 0, sample.length, ForkJoinPool.commonPool());
            took = System.nanoTime() - t0;
            digests++;
        } while (took > FAST_DIGEST_NANOS && digests < MAX_DIGESTS);
        return digests;
    }

    /** Decompresses {@code packed} and checks it gives {@code sample} back. */
    private static void roundTrip(Compression compression, byte[] packed, byte[] sample) throws RafsFormatException {
        byte[] back = compression.decompress(packed, sample.length, "warm-up", 0);
        if (!Arrays.equals(back, sample)) {
            throw new RafsFormatException("warm-up sample", 0, compression + " gave back other bytes than it was given");
        }
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }
}

package dev.damselfly.rafs;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.damselfly.rafs.blob.BlobMetadata;
import dev.damselfly.rafs.blob.ByteArrayBlobByteSource;
import dev.damselfly.rafs.blob.FileContentReader;
import dev.damselfly.rafs.blob.InlinedBootstrap;
import dev.damselfly.rafs.inspect.TreeWalker;
import dev.damselfly.rafs.v6.SyntheticV6Builder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random bit flips and truncations of real bootstraps and a blob: every parse either succeeds or ends in a
 * {@link RafsException}, within 2 seconds — never an unchecked exception, an OOM or a hang.
 */
class BootstrapFuzzTest {
    static final byte[] V6 = load(Fixtures.V6_BOOT);
    static final byte[] V5 = load(Fixtures.V5_SHA256);
    static final byte[] BLOB = load(Fixtures.V6_BLOB);
    /** Synthetic v6 image with xattrs, devices, FIFOs, sockets, plain symlinks, a 3-block directory. */
    static final byte[] SYNTHETIC = synthetic();
    /** Byte ranges of rafs-v6-2.2.boot that hold structures (superblocks, blob table, inodes, chunk table). */
    static final int[][] V6_HOT = {{1024, 1664}, {4096, 4352}, {12288, 12800}, {16384, 16544}};
    static final int[][] V5_HOT = {{0, 96}, {8192, 18648}};

    private static byte[] synthetic() {
        SyntheticV6Builder b = new SyntheticV6Builder();
        SyntheticV6Builder.Node d = b.dir(b.root(), "d");
        for (int i = 0; i < 120; i++) {
            b.file(d, "file-with-a-longish-name-" + i, i);
        }
        b.file(b.root(), "x", 3).xattr("user.a", "1").xattr("security.selinux", "ctx");
        b.symlink(b.root(), "long", "y".repeat(100));
        b.symlink(b.root(), "short", "x");
        b.special(b.root(), "c", 0020644, 0x0103);
        b.special(b.root(), "p", 0010644, 0);
        b.special(b.root(), "s", 0140644, 0);
        return b.build();
    }

    private static byte[] load(String f) {
        try {
            return Fixtures.bytes(f);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A mutation: which base, flips as (selector, xor) pairs, and an optional truncation length selector. */
    @Provide
    Arbitrary<Tuple.Tuple3<Integer, List<Tuple.Tuple2<Integer, Integer>>, Integer>> mutations() {
        Arbitrary<Tuple.Tuple2<Integer, Integer>> flip = Combinators.combine(
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(1, 255)).as(Tuple::of);
        return Combinators.combine(Arbitraries.integers().between(0, 2), flip.list().ofMinSize(1).ofMaxSize(8),
                Arbitraries.integers().between(-3, 100)).as(Tuple::of);
    }

    private static byte[] mutate(byte[] base, int[][] hot, List<Tuple.Tuple2<Integer, Integer>> flips, int cut) {
        byte[] b = base.clone();
        for (Tuple.Tuple2<Integer, Integer> f : flips) {
            int sel = f.get1();
            int pos;
            if (sel % 5 == 0) {
                pos = (sel / 5) % b.length;
            } else {
                int[] r = hot[(sel / 5) % hot.length];
                pos = r[0] + (sel / 5 / hot.length) % (r[1] - r[0]);
            }
            b[pos] ^= f.get2();
        }
        if (cut > 0) {
            b = Arrays.copyOf(b, (int) ((long) b.length * cut / 101));
        }
        return b;
    }

    @Property(tries = 600)
    void mutatedBootstrapsParseOrFailTyped(@ForAll("mutations") Tuple.Tuple3<Integer, List<Tuple.Tuple2<Integer, Integer>>, Integer> m) {
        byte[] bytes = switch (m.get1()) {
            case 0 -> mutate(V6, V6_HOT, m.get2(), m.get3());
            case 1 -> mutate(V5, V5_HOT, m.get2(), m.get3());
            default -> mutate(SYNTHETIC, new int[][] {{1024, 1664}, {4096, 4352}, {12288, SYNTHETIC.length}}, m.get2(), m.get3());
        };
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> exercise(bytes));
    }

    @Property(tries = 200)
    void mutatedBlobsParseOrFailTyped(@ForAll("mutations") Tuple.Tuple3<Integer, List<Tuple.Tuple2<Integer, Integer>>, Integer> m) {
        byte[] blob = mutate(BLOB, new int[][] {{7700, 8400}, {12400, 12460}, {13000, BLOB.length}}, m.get2(), m.get3());
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            ByteArrayBlobByteSource src = new ByteArrayBlobByteSource("fuzz.blob", blob);
            try (RafsImage img = RafsImages.open("rafs-v6-2.2.boot", V6)) {
                try {
                    BlobMetadata.read(img.blobs().get(0), src);
                } catch (RafsException expected) {
                    // typed
                }
                try {
                    InlinedBootstrap.extract(src);
                } catch (RafsException expected) {
                    // typed
                }
                FileContentReader r = new FileContentReader(img, i -> src, true);
                for (long nid : new long[] {133, 136}) {
                    try {
                        r.read(nid, 0, Integer.MAX_VALUE);
                    } catch (RafsException expected) {
                        // typed
                    }
                }
            }
        });
    }

    /** Opens and walks everything; typed errors are fine, anything else propagates and fails the property. */
    static void exercise(byte[] bytes) throws IOException {
        RafsImage img;
        try {
            img = RafsImages.open("fuzz", bytes);
        } catch (RafsException expected) {
            return;
        }
        List<Long> files = new ArrayList<>();
        try {
            img.blobs();
            img.prefetchHandles();
            TreeWalker.walk(img, (path, depth, a) -> {
                switch (a.type()) {
                    case SYMLINK -> img.readLink(a.handle());
                    case REGULAR -> {
                        img.chunks(a.handle());
                        img.chunks(a.handle(), a.size() / 2, 4096);
                        files.add(a.handle());
                    }
                    case DIRECTORY -> img.lookup(a.handle(), "lib.rs".getBytes());
                    default -> { }
                }
                img.xattrs(a.handle());
            });
        } catch (RafsException expected) {
            // typed
        }
        if (img.version() == RafsVersion.V6) {
            FileContentReader r = new FileContentReader(img, i -> new ByteArrayBlobByteSource("blob", BLOB), true);
            for (long h : files) {
                try {
                    r.read(h, 0, 1 << 20);
                } catch (RafsException expected) {
                    // typed
                }
            }
        }
    }
}

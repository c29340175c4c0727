package dev.damselfly.peer.cli.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressRendererTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1L << 20;

    private static BlobState active(String name, long size, long done, long startedNanos) {
        return new BlobState(name, size, done, BlobState.Phase.ACTIVE, startedNanos, 0);
    }

    private static BlobState finished(String name, long size, BlobState.Phase phase) {
        return new BlobState(name, size, phase == BlobState.Phase.COPIED ? size : 0, phase, 0, SECOND);
    }

    private static BlobState waiting(String name, long size) {
        return new BlobState(name, size, 0, BlobState.Phase.WAITING, 0, 0);
    }

    @Test
    void rendersOneLinePerBlobAndASummary() {
        List<BlobState> blobs = List.of(
                active("sha256:0123456789ab", 4 * MIB, MIB, 0),
                finished("sha256:abcdef012345", 3 * MIB, BlobState.Phase.COPIED),
                finished("sha256:aaaaaaaaaaaa", 2 * MIB, BlobState.Phase.EXISTS),
                finished("sha256:bbbbbbbbbbbb", 512, BlobState.Phase.MOUNTED),
                waiting("sha256:fedcba987654", 1024));
        List<String> lines = new ProgressRenderer(100, 20).render(blobs, 0, 2 * SECOND);
        assertEquals(List.of(
                "sha256:0123456789ab [=======>                      ]    1.0 MiB / 4.0 MiB      0.5 MiB/s",
                "sha256:abcdef012345 copied  3.0 MiB",
                "sha256:aaaaaaaaaaaa exists  2.0 MiB",
                "sha256:bbbbbbbbbbbb mounted 512 B",
                "sha256:fedcba987654 waiting",
                "3/5 blobs  6.0 MiB / 9.0 MiB  2.0 MiB/s  2.0 s"), lines);
    }

    @Test
    void narrowTerminalsGetAShorterBarAndNoWrappedLines() {
        List<BlobState> blobs = List.of(active("sha256:0123456789ab", 100, 50, 0));
        List<String> at70 = new ProgressRenderer(70, 20).render(blobs, 0, SECOND);
        assertEquals("sha256:0123456789ab [=====>     ]       50 B / 100 B        0.0 MiB/s", at70.get(0));
        assertEquals(69, at70.get(0).length());
        for (int columns : new int[] {20, 40, 50, 70, 100, 200}) {
            for (String line : new ProgressRenderer(columns, 20).render(blobs, 0, SECOND)) {
                assertTrue(line.length() <= columns - 1, columns + " columns: '" + line + "'");
            }
        }
        // Too narrow for a bar of at least MIN_BAR: no bar at all.
        String at50 = new ProgressRenderer(50, 20).render(blobs, 0, SECOND).get(0);
        assertTrue(!at50.contains("[") && at50.startsWith("sha256:0123456789ab       50 B / 100 B"), at50);
    }

    @Test
    void barFillsInProportion() {
        assertEquals("[>         ]", ProgressRenderer.bar(0, 100, 10));
        assertEquals("[=====>    ]", ProgressRenderer.bar(50, 100, 10));
        assertEquals("[==========]", ProgressRenderer.bar(100, 100, 10));
        assertEquals("[==========]", ProgressRenderer.bar(0, 0, 10));
    }

    @Test
    void manyBlobsAreSummarisedToKeepTheFrameShort() {
        List<BlobState> blobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            blobs.add(finished(String.format("sha256:done%08d", i), 10, BlobState.Phase.COPIED));
        }
        blobs.add(active("sha256:active000001", 100, 10, 0));
        for (int i = 0; i < 5; i++) {
            blobs.add(waiting(String.format("sha256:wait%08d", i), 10));
        }
        List<String> lines = new ProgressRenderer(120, 4).render(blobs, 0, SECOND);
        assertEquals(5, lines.size(), lines::toString);
        assertTrue(lines.get(0).startsWith("sha256:active000001 ["), lines::toString);
        assertEquals("sha256:wait00000000 waiting", lines.get(1));
        assertEquals("sha256:wait00000001 waiting", lines.get(2));
        assertEquals("... 13 more: 10 done, 3 waiting", lines.get(3));
        assertTrue(lines.get(4).startsWith("10/16 blobs"), lines::toString);
    }
}

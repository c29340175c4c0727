package dev.damselfly.piecestore.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkSectionTest {
    @Test
    void replacesOnlyItsOwnSection() {
        String doc = "# Benchmarks\n\n<!-- bench:other:start -->\nother\n<!-- bench:other:end -->\n\n"
                + BenchmarkSection.START + "\nold\n" + BenchmarkSection.END + "\ntail\n";
        String out = BenchmarkSection.replace(doc, "new\n");
        assertEquals("# Benchmarks\n\n<!-- bench:other:start -->\nother\n<!-- bench:other:end -->\n\n"
                + BenchmarkSection.START + "\nnew\n" + BenchmarkSection.END + "\ntail\n", out);
        assertEquals(out, BenchmarkSection.replace(out, "new"));
    }

    @Test
    void theGoalCellSaysWhetherTheMedianRatioMeetsIt() {
        assertEquals("≥ 0.8× — met", PieceStoreBenchmarks.verdict("≥ 0.8×", 0.8));
        assertEquals("≥ 0.8× — **not met**", PieceStoreBenchmarks.verdict("≥ 0.8×", 0.79));
        assertEquals("", PieceStoreBenchmarks.verdict("", 0.1));
    }

    @Test
    void appendsWhenAbsent(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("B.md");
        Files.writeString(f, "# Benchmarks\n\nintro\n");
        BenchmarkSection.write(f, "body");
        assertEquals("# Benchmarks\n\nintro\n\n" + BenchmarkSection.START + "\nbody\n" + BenchmarkSection.END + "\n",
                Files.readString(f));
    }
}

package dev.damselfly.peer.cli.rafs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.peer.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code damselfly inspect} and {@code damselfly check} on the upstream Nydus 2.2 fixture and a corrupted copy of its blob. */
class RafsCommandsTest {
    private static final String BLOB = "be7d77eeb719f70884758d1aa800ed0fb09d701aaec469964e9d54325f0d5fef";
    private static Path bootstrap;
    private static Path blobs;

    @TempDir
    Path work;

    @BeforeAll
    static void fixtures() {
        Path root = Path.of(System.getProperty("damselfly.fixtures", "missing"), "dragonflyoss-nydus/tests/texture");
        bootstrap = root.resolve("bootstrap/rafs-v6-2.2.boot");
        blobs = root.resolve("blobs");
        assertTrue(Files.isRegularFile(bootstrap), "Nydus fixtures not found at " + root + " (../shared beside the repository)");
    }

    @Test
    void inspectPrintsTheTree() {
        CliRun run = CliRun.run("inspect", bootstrap.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("/lib.rs") && run.out().contains("/sync_io.rs") && run.out().contains(BLOB), run::toString);
    }

    @Test
    void checkVerifiesEveryChunk() {
        CliRun run = CliRun.run("check", bootstrap.toString(), "--blob-dir", blobs.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("chunks verified: 2 good, 0 corrupt"), run::toString);
    }

    @Test
    void checkNamesACorruptChunkAndTheFileUsingIt() throws Exception {
        Path dir = Files.createDirectories(work.resolve("blobs"));
        byte[] bytes = Files.readAllBytes(blobs.resolve(BLOB));
        bytes[100] ^= 0x5a; // inside the first compressed chunk (lib.rs)
        Files.write(dir.resolve(BLOB), bytes);
        CliRun run = CliRun.run("check", bootstrap.toString(), "--blob-dir", dir.toString());
        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.out().contains("CORRUPT chunk 0 of blob " + BLOB) && run.out().contains("used by /lib.rs"), run::toString);
    }

    @Test
    void missingBlobsAndBadBootstrapsAreFailuresWithReasons() throws Exception {
        CliRun missing = CliRun.run("check", bootstrap.toString(), "--blob-dir", work.toString());
        assertEquals(1, missing.exitCode(), missing::toString);
        assertTrue(missing.err().contains("blobs missing"), missing::toString);
        Path garbage = Files.writeString(work.resolve("garbage.boot"), "not a bootstrap at all".repeat(200));
        CliRun bad = CliRun.run("inspect", garbage.toString());
        assertEquals(1, bad.exitCode(), bad::toString);
        assertTrue(bad.err().startsWith("damselfly: "), bad::toString);
    }

    @Test
    void buildThenCheckAndInspectTheResult() throws Exception {
        Path tar = Path.of(System.getProperty("damselfly.fixtures"), "dragonflyoss-nydus/tests/texture/tar/all-entry-type.tar");
        Path out = Files.createDirectories(work.resolve("out"));
        CliRun build = CliRun.run("build", tar.toString(), "--bootstrap", out.resolve("layer.boot").toString());
        assertEquals(0, build.exitCode(), build::toString);
        CliRun check = CliRun.run("check", out.resolve("layer.boot").toString(), "--blob-dir", out.toString());
        assertEquals(0, check.exitCode(), check::toString);
        assertTrue(check.out().contains(" 0 corrupt"), check::toString);
        CliRun aligned = CliRun.run("build", "--aligned", "--chunk-size", "64KiB", tar.toString(), "--bootstrap",
                out.resolve("aligned.boot").toString());
        assertEquals(0, aligned.exitCode(), aligned::toString);
        CliRun badChunk = CliRun.run("build", "--chunk-size", "3000", tar.toString(), "--bootstrap", out.resolve("x.boot").toString());
        assertEquals(2, badChunk.exitCode(), badChunk::toString);
    }

    @Test
    void buildWithAChunkDictionaryAndAPrefetchListThenMergeTwoLayers() throws Exception {
        Path tar = Path.of(System.getProperty("damselfly.fixtures"), "dragonflyoss-nydus/tests/texture/tar/all-entry-type.tar");
        Path out = Files.createDirectories(work.resolve("layers"));
        CliRun first = CliRun.run("build", tar.toString(), "--bootstrap", out.resolve("a.boot").toString());
        assertEquals(0, first.exitCode(), first::toString);
        Path list = Files.writeString(work.resolve("prefetch.txt"), "/dir\n/no/such/path\n");
        CliRun second = CliRun.run("build", tar.toString(), "--bootstrap", out.resolve("b.boot").toString(),
                "--chunk-dict", out.resolve("a.boot").toString(), "--prefetch-list", list.toString());
        assertEquals(0, second.exitCode(), second::toString);
        assertTrue(second.out().contains("chunk dictionary") && !second.out().contains(": 0 chunk references"), second::toString);
        assertTrue(second.err().contains("prefetch path /no/such/path is not in the layer"), second::toString);
        CliRun check = CliRun.run("check", out.resolve("b.boot").toString(), "--blob-dir", out.toString());
        assertEquals(0, check.exitCode(), check::toString);

        Path upper = Files.write(work.resolve("upper.tar"), dev.damselfly.testkit.image.TestTrees.allEntryTypes(5).toByteArray());
        CliRun third = CliRun.run("build", upper.toString(), "--bootstrap", out.resolve("c.boot").toString());
        assertEquals(0, third.exitCode(), third::toString);
        CliRun merge = CliRun.run("merge", out.resolve("a.boot").toString(), out.resolve("c.boot").toString(),
                "--bootstrap", work.resolve("image.boot").toString());
        assertEquals(0, merge.exitCode(), merge::toString);
        assertTrue(merge.out().contains("2 blobs"), merge::toString);
        CliRun inspect = CliRun.run("inspect", work.resolve("image.boot").toString());
        assertEquals(0, inspect.exitCode(), inspect::toString);

        // b was built against a: merging all three keeps each blob once
        CliRun all = CliRun.run("merge", out.resolve("a.boot").toString(), out.resolve("b.boot").toString(),
                out.resolve("c.boot").toString(), "--bootstrap", work.resolve("abc.boot").toString());
        assertEquals(0, all.exitCode(), all::toString);
        assertTrue(all.out().contains("3 blobs"), all::toString);
        CliRun checkAll = CliRun.run("check", work.resolve("abc.boot").toString(), "--blob-dir", out.toString());
        assertEquals(0, checkAll.exitCode(), checkAll::toString);
        assertTrue(checkAll.out().contains(" 0 corrupt"), checkAll::toString);

        // the same image in one step: c built on top of a as its parent
        CliRun onParent = CliRun.run("build", upper.toString(), "--bootstrap", work.resolve("parent-built.boot").toString(),
                "--blob-dir", out.toString(), "--parent-bootstrap", out.resolve("a.boot").toString());
        assertEquals(0, onParent.exitCode(), onParent::toString);
        CliRun checkParent = CliRun.run("check", work.resolve("parent-built.boot").toString(), "--blob-dir", out.toString());
        assertEquals(0, checkParent.exitCode(), checkParent::toString);
        assertTrue(checkParent.out().contains(" 0 corrupt"), checkParent::toString);
        java.util.regex.Matcher inodes = java.util.regex.Pattern.compile("(\\d+) inodes").matcher(merge.out());
        assertTrue(inodes.find(), merge::toString);
        assertTrue(onParent.out().contains(inodes.group(1) + " inodes"), "same tree as merge a c: " + onParent);
        CliRun mergeOnto = CliRun.run("merge", "--parent-bootstrap", out.resolve("a.boot").toString(),
                out.resolve("c.boot").toString(), "--bootstrap", work.resolve("onto.boot").toString());
        assertEquals(0, mergeOnto.exitCode(), mergeOnto::toString);
        assertTrue(mergeOnto.out().contains("2 blobs"), mergeOnto::toString);
        CliRun missing = CliRun.run("merge", "--parent-bootstrap", work.resolve("absent.boot").toString(),
                out.resolve("c.boot").toString(), "--bootstrap", work.resolve("x.boot").toString());
        assertEquals(2, missing.exitCode(), missing::toString);
    }
}

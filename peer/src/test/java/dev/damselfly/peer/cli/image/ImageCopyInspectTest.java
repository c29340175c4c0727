package dev.damselfly.peer.cli.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.Platform;
import dev.damselfly.peer.cli.CliRun;
import dev.damselfly.peer.cli.ExitCodes;
import dev.damselfly.peer.cli.TerminalInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code image copy} and {@code image inspect} between OCI layout directories written by {@link TestLayout}. */
class ImageCopyInspectTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private TestLayout source;
    private TestLayout.Image image;

    @BeforeEach
    void writeSourceLayout() throws IOException {
        source = TestLayout.create(temp.resolve("src"));
        image = source.writeImage("linux", "amd64", "one");
        source.writeIndex(List.<Object[]>of(new Object[] {TestLayout.OCI_MANIFEST, image.manifest(), "v1"}));
    }

    private static String oci(Path dir, String tag) {
        return "oci:" + dir + (tag == null ? "" : ":" + tag);
    }

    private static List<Path> blobFiles(Path layout) throws IOException {
        try (Stream<Path> files = Files.walk(layout.resolve("blobs"))) {
            return files.filter(Files::isRegularFile).map(layout::relativize).sorted().toList();
        }
    }

    private static void assertSameBlobs(Path expectedLayout, Path actualLayout) throws IOException {
        assertEquals(blobFiles(expectedLayout), blobFiles(actualLayout));
        for (Path blob : blobFiles(expectedLayout)) {
            assertArrayEquals(Files.readAllBytes(expectedLayout.resolve(blob)), Files.readAllBytes(actualLayout.resolve(blob)),
                    blob.toString());
        }
    }

    @Test
    void copiesALayoutByteForByteAndReportsEachBlob() throws IOException {
        Path destination = temp.resolve("dst");
        CliRun run = CliRun.run("image", "copy", oci(source.root(), "v1"), oci(destination, "v2"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertSameBlobs(source.root(), destination);
        assertTrue(Files.isRegularFile(destination.resolve("oci-layout")));

        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run::toString);
        assertTrue(lines.contains("copied sha256:" + image.layer().digest().substring(7, 19) + " ("
                + dev.damselfly.peer.units.ByteSize.format(image.layer().size()) + ")"), run::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("copied sha256:" + image.config().digest().substring(7, 19) + " (")),
                run::toString);
        assertTrue(lines.get(2).startsWith("copied " + oci(source.root(), "v1") + " -> " + oci(destination, "v2")
                + ": 2 blobs ("), run::toString);
        assertTrue(lines.get(2).endsWith(") copied, 0 present, 0 mounted; digest " + image.manifest().digest()), run::toString);
        assertEquals("", run.err());

        JsonNode index = JSON.readTree(destination.resolve("index.json").toFile());
        assertEquals(image.manifest().digest(), index.path("manifests").path(0).path("digest").asText());
        assertEquals("v2", index.path("manifests").path(0).path("annotations").path("org.opencontainers.image.ref.name").asText());
    }

    @Test
    void secondCopyFindsEveryBlobPresent() {
        Path destination = temp.resolve("dst");
        assertEquals(ExitCodes.OK, CliRun.run("image", "copy", "-q", oci(source.root(), "v1"), oci(destination, null)).exitCode());
        CliRun again = CliRun.run("image", "copy", oci(source.root(), "v1"), oci(destination, null));
        assertEquals(ExitCodes.OK, again.exitCode(), again::toString);
        assertEquals(2, again.out().lines().filter(l -> l.startsWith("exists sha256:")).count(), again::toString);
        assertTrue(again.out().contains(": 0 blobs (0 B) copied, 2 present, 0 mounted; digest "), again::toString);
    }

    @Test
    void quietPrintsOnlyTheDigest() {
        CliRun run = CliRun.run("image", "copy", "--quiet", oci(source.root(), "v1"), oci(temp.resolve("q"), "x"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertEquals(image.manifest().digest() + System.lineSeparator(), run.out());
        assertEquals("", run.err());
    }

    @Test
    void inspectJsonReportsTheDigests() throws IOException {
        Path destination = temp.resolve("dst");
        assertEquals(ExitCodes.OK, CliRun.run("image", "copy", oci(source.root(), "v1"), oci(destination, "v2")).exitCode());

        CliRun run = CliRun.run("image", "inspect", "--format", "json", oci(destination, "v2"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        JsonNode report = JSON.readTree(run.out());
        assertEquals(oci(destination, "v2"), report.path("reference").asText());
        assertEquals(image.manifest().digest(), report.path("digest").asText());
        assertEquals(TestLayout.OCI_MANIFEST, report.path("mediaType").asText());
        assertFalse(report.has("index"));
        JsonNode manifest = report.path("manifest");
        assertEquals(image.manifest().digest(), manifest.path("digest").asText());
        assertEquals(image.config().digest(), manifest.path("config").path("digest").asText());
        assertEquals(image.config().size(), manifest.path("config").path("size").asLong());
        assertEquals(1, manifest.path("layers").size());
        assertEquals(image.layer().digest(), manifest.path("layers").path(0).path("digest").asText());
        assertEquals(TestLayout.OCI_LAYER_GZIP, manifest.path("layers").path(0).path("mediaType").asText());
        assertEquals(image.layer().size(), manifest.path("layers").path(0).path("size").asLong());
        assertEquals(JSON.readTree(image.config().bytes()), report.path("config"));
        assertEquals(image.config().size() + image.layer().size(), report.path("totalSize").asLong());
    }

    @Test
    void inspectTextShowsConfigAndLayers() {
        CliRun run = CliRun.run("image", "inspect", oci(source.root(), "v1"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        String out = run.out();
        assertTrue(out.startsWith("reference   " + oci(source.root(), "v1") + "\n"), out);
        assertTrue(out.contains("manifest    " + image.manifest().digest() + " (" + TestLayout.OCI_MANIFEST + ", "), out);
        assertTrue(out.contains("  platform    linux/amd64\n"), out);
        assertTrue(out.contains("  created     2024-05-01T12:00:00Z\n"), out);
        assertTrue(out.contains("  entrypoint  [\"/bin/sh\"]\n"), out);
        assertTrue(out.contains("  cmd         [\"-c\",\"echo one\"]\n"), out);
        assertTrue(out.contains("  env         2 variables\n"), out);
        assertTrue(out.contains("    " + image.diffId() + "\n"), out);
        assertTrue(Pattern.compile("\n  " + Pattern.quote(image.layer().digest() + "  " + TestLayout.OCI_LAYER_GZIP + "  "
                + image.layer().size() + "  ") + "[0-9.]+ (B|KiB)\n").matcher(out).find(), out);
        assertTrue(out.contains("\ntotal       "), out);
    }

    @Test
    void inspectRawPrintsTheManifestBytesExactly() {
        CliRun run = CliRun.run("image", "inspect", "--raw", oci(source.root(), "v1"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertArrayEquals(image.manifest().bytes(), run.outBytes());
    }

    /** An index with this machine's platform and another one. */
    private TestLayout.Blob writeTwoPlatformIndex(TestLayout layout, TestLayout.Image here, TestLayout.Image other,
            String otherArch) throws IOException {
        String hereArch = Platform.current().architecture();
        return layout.writeImageIndex(List.of(here, other), List.of(new String[] {"linux", hereArch},
                new String[] {"linux", otherArch}));
    }

    @Test
    void indexIsCopiedWholeOrForOnePlatform() throws IOException {
        String hereArch = Platform.current().architecture();
        String otherArch = hereArch.equals("s390x") ? "amd64" : "s390x";
        TestLayout multi = TestLayout.create(temp.resolve("multi"));
        TestLayout.Image here = multi.writeImage("linux", hereArch, "here");
        TestLayout.Image other = multi.writeImage("linux", otherArch, "other");
        TestLayout.Blob index = writeTwoPlatformIndex(multi, here, other, otherArch);
        multi.writeIndex(List.<Object[]>of(new Object[] {TestLayout.OCI_INDEX, index, "multi"}));

        Path all = temp.resolve("all");
        CliRun copyAll = CliRun.run("image", "copy", "--all", "--parallel", "1", oci(multi.root(), "multi"), oci(all, "m"));
        assertEquals(ExitCodes.OK, copyAll.exitCode(), copyAll::toString);
        assertTrue(copyAll.out().contains(": 4 blobs ("), copyAll::toString);
        assertTrue(copyAll.out().endsWith("digest " + index.digest() + System.lineSeparator()), copyAll::toString);
        assertSameBlobs(multi.root(), all);

        Path one = temp.resolve("one");
        CliRun copyOne = CliRun.run("image", "copy", "--platform", "linux/" + otherArch, oci(multi.root(), "multi"), oci(one, "o"));
        assertEquals(ExitCodes.OK, copyOne.exitCode(), copyOne::toString);
        assertTrue(copyOne.out().contains(": 2 blobs ("), copyOne::toString);
        assertTrue(copyOne.out().endsWith("digest " + other.manifest().digest() + System.lineSeparator()), copyOne::toString);
        List<Path> expected = new ArrayList<>();
        for (TestLayout.Blob blob : List.of(other.manifest(), other.config(), other.layer())) {
            expected.add(Path.of("blobs/sha256", blob.digest().substring(7)));
        }
        assertEquals(expected.stream().sorted().toList(), blobFiles(one));

        // inspect the index: without --platform the entry for this machine is shown
        CliRun inspect = CliRun.run("image", "inspect", "--format", "json", oci(all, "m"));
        assertEquals(ExitCodes.OK, inspect.exitCode(), inspect::toString);
        JsonNode report = JSON.readTree(inspect.out());
        assertEquals(index.digest(), report.path("digest").asText());
        assertEquals(TestLayout.OCI_INDEX, report.path("mediaType").asText());
        assertEquals(2, report.path("index").size());
        assertEquals(here.manifest().digest(), report.path("index").path(0).path("digest").asText());
        assertEquals("linux/" + hereArch, report.path("index").path(0).path("platform").asText());
        assertEquals(other.manifest().size(), report.path("index").path(1).path("size").asLong());
        assertEquals(here.manifest().digest(), report.path("manifest").path("digest").asText());
        assertEquals(hereArch, report.path("config").path("architecture").asText());

        CliRun inspectOther = CliRun.run("image", "inspect", "--platform", "linux/" + otherArch, "--format", "json", oci(all, "m"));
        assertEquals(ExitCodes.OK, inspectOther.exitCode(), inspectOther::toString);
        assertEquals(other.layer().digest(),
                JSON.readTree(inspectOther.out()).path("manifest").path("layers").path(0).path("digest").asText());

        CliRun raw = CliRun.run("image", "inspect", "--raw", "--platform", "linux/" + otherArch, oci(all, "m"));
        assertArrayEquals(other.manifest().bytes(), raw.outBytes());

        CliRun missing = CliRun.run("image", "inspect", "--platform", "windows/arm", oci(all, "m"));
        assertEquals(ExitCodes.FAILURE, missing.exitCode(), missing::toString);
        assertTrue(missing.err().startsWith("damselfly: ") && missing.err().contains("no manifest for platform windows/arm"),
                missing::toString);
        assertEquals(1, missing.err().lines().count(), missing::toString);
    }

    @Test
    void corruptBlobFailsTheCopyWithADigestMismatch() throws IOException {
        Files.write(source.blobPath(image.layer().digest()), "not the layer".getBytes());
        Path destination = temp.resolve("dst");
        CliRun run = CliRun.run("image", "copy", oci(source.root(), "v1"), oci(destination, "v2"));
        assertEquals(ExitCodes.FAILURE, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("damselfly: "), run::toString);
        assertTrue(run.err().contains(image.layer().digest()), run::toString);
        assertFalse(Files.exists(destination.resolve("blobs/sha256").resolve(image.layer().digest().substring(7))));
    }

    @Test
    void terminalGetsProgressOnStderrAndTheSummaryOnStdout() throws IOException {
        Path destination = temp.resolve("dst");
        CliRun run = CliRun.run(new TerminalInfo(true, 100), "image", "copy", oci(source.root(), "v1"), oci(destination, "v2"));
        assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
        assertTrue(run.err().contains("\u001b[2Ksha256:" + image.layer().digest().substring(7, 19) + " copied "), run::toString);
        assertTrue(run.err().contains("2/2 blobs"), run::toString);
        assertEquals(1, run.out().lines().count(), run::toString);
        assertTrue(run.out().startsWith("copied " + oci(source.root(), "v1") + " -> "), run::toString);
        assertSameBlobs(source.root(), destination);
    }
}

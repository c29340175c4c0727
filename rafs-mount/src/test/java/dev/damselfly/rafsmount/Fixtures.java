package dev.damselfly.rafsmount;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared Nydus fixtures, found through the {@code damselfly.fixtures} system property the pom sets to
 * {@code <repo>/../shared/fixtures/nydus}. Missing fixtures fail the test, never skip it.
 */
final class Fixtures {
    static final String V6_BOOT = "dragonflyoss-nydus/tests/texture/bootstrap/rafs-v6-2.2.boot";
    static final String V6_BLOBS = "dragonflyoss-nydus/tests/texture/blobs";
    static final String V6_BLOB_ID = "be7d77eeb719f70884758d1aa800ed0fb09d701aaec469964e9d54325f0d5fef";
    static final String V5_SHA256 = "dragonflyoss-nydus/tests/texture/repeatable/sha256-nocompress-repeatable";
    static final String V5_BLAKE3 = "dragonflyoss-nydus/tests/texture/repeatable/blake3-lz4_block-non_repeatable";
    static final String V5_BLOBS = "dragonflyoss-nydus/tests/texture/repeatable/blobs";
    static final String V5_BLOB_ID = "7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";
    static final String EROFS_META = "generated/erofs-utils-1.5-chunked/meta.img";
    static final String EROFS_BLOB = "generated/erofs-utils-1.5-chunked/blob.img";
    static final String V6_LAYER = "containerd-nydus-snapshotter/pkg/filesystem/testdata/v6-bootstrap-chunk-pos-438272.tar.gz";
    static final String INVALID_LAYER = "containerd-nydus-snapshotter/pkg/filesystem/testdata/invalid-bootstrap-file-size-133513.tar.gz";

    private Fixtures() {
    }

    static Path root() {
        String p = System.getProperty("damselfly.fixtures");
        if (p == null) {
            fail("system property damselfly.fixtures is not set (run through Maven: mvn -pl rafs-mount verify)");
        }
        Path root = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            fail("Nydus fixtures missing: " + root + " (expected <repo>/../shared/fixtures/nydus)");
        }
        return root;
    }

    static Path path(String relative) {
        Path f = root().resolve(relative);
        if (!Files.exists(f)) {
            fail("fixture missing: " + f);
        }
        return f;
    }

    /**
     * path → content SHA-256 of every regular file in an {@code expected/} listing: the first token starting
     * with {@code /} is the path, {@code sha256=} carries the digest.
     */
    static Map<String, String> expectedSha256(String listing) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path("expected/" + listing), StandardCharsets.UTF_8)) {
            String path = null;
            String sha = null;
            for (String tok : line.trim().split("\\s+")) {
                if (path == null && tok.startsWith("/")) {
                    path = tok;
                } else if (tok.startsWith("sha256=")) {
                    sha = tok.substring("sha256=".length());
                }
            }
            if (path != null && sha != null) {
                out.put(path, sha);
            }
        }
        assertFalse(out.isEmpty(), "no sha256 entries in " + listing);
        return out;
    }
}

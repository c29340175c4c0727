package dev.damselfly.rafs;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The shared Nydus fixtures, found through the {@code damselfly.fixtures} system property that the module's
 * pom sets to {@code <repo>/../shared/fixtures/nydus}. Missing fixtures fail the test (never skip it).
 */
public final class Fixtures {
    public static final String V6_BOOT = "dragonflyoss-nydus/tests/texture/bootstrap/rafs-v6-2.2.boot";
    public static final String V6_BLOB = "dragonflyoss-nydus/tests/texture/blobs/be7d77eeb719f70884758d1aa800ed0fb09d701aaec469964e9d54325f0d5fef";
    public static final String V6_LAYER = "containerd-nydus-snapshotter/pkg/filesystem/testdata/v6-bootstrap-chunk-pos-438272.tar.gz";
    public static final String V5_LAYER = "containerd-nydus-snapshotter/pkg/filesystem/testdata/v5-bootstrap-file-size-736032.tar.gz";
    public static final String INVALID_LAYER = "containerd-nydus-snapshotter/pkg/filesystem/testdata/invalid-bootstrap-file-size-133513.tar.gz";
    public static final String V5_SHA256 = "dragonflyoss-nydus/tests/texture/repeatable/sha256-nocompress-repeatable";
    public static final String V5_BLAKE3 = "dragonflyoss-nydus/tests/texture/repeatable/blake3-lz4_block-non_repeatable";
    public static final String V5_BLOB = "dragonflyoss-nydus/tests/texture/repeatable/blobs/7334a2594e133cf8ae364189c2276b090fc490c627bcc3fb1077f0419a538e00";
    public static final String V5_LZ4_BLOB = "dragonflyoss-nydus/tests/texture/repeatable/blobs/d7b86b1e74e316fe945741d1a9fa1b271459fe41481e304977659e0c6ecf56ac";
    public static final String EROFS_META = "generated/erofs-utils-1.5-chunked/meta.img";
    public static final String EROFS_BLOB = "generated/erofs-utils-1.5-chunked/blob.img";
    public static final String ZRAN_META = "dragonflyoss-nydus/tests/texture/zran/233c72f2b6b698c07021c4da367cfe2dff4f049efbaa885ca0ff760ea297865a.blob.meta";

    private Fixtures() {
    }

    public static Path root() {
        String p = System.getProperty("damselfly.fixtures");
        if (p == null) {
            fail("system property damselfly.fixtures is not set (run through Maven: mvn -pl rafs verify)");
        }
        Path root = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            fail("Nydus fixtures missing: " + root + " (expected <repo>/../shared/fixtures/nydus)");
        }
        return root;
    }

    public static Path path(String relative) {
        Path f = root().resolve(relative);
        if (!Files.isRegularFile(f)) {
            fail("fixture missing: " + f);
        }
        return f;
    }

    public static byte[] bytes(String relative) throws IOException {
        return Files.readAllBytes(path(relative));
    }

    public static String expected(String name) throws IOException {
        return Files.readString(path("expected/" + name), StandardCharsets.UTF_8);
    }

    /** Bytes of {@code entry} inside the gzip tar fixture {@code relative}. */
    public static byte[] tarGzEntry(String relative, String entry) throws IOException {
        try (InputStream in = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(path(relative))))) {
            TarArchiveInputStream tar = (TarArchiveInputStream) in;
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals(entry)) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    tar.transferTo(out);
                    return out.toByteArray();
                }
            }
        }
        fail("no " + entry + " in " + relative);
        return null;
    }
}

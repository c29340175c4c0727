package dev.damselfly.peer.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.oci.Digest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NydusConverterTest {
    @TempDir
    Path dir;

    @Test
    void configGetsBlobDiffIdsThenTheBootstrapTarAndAHistoryEntry() throws Exception {
        byte[] source = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/bin/sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "a".repeat(64) + "\"]},"
                + "\"history\":[{\"created_by\":\"ADD rootfs\"}]}").getBytes(StandardCharsets.UTF_8);
        Digest tarDigest = Digest.sha256(new byte[] {1, 2, 3});
        JsonNode config = new ObjectMapper().readTree(NydusConverter.nydusConfig(source, List.of("b".repeat(64)), tarDigest));
        assertEquals("sha256:" + "b".repeat(64), config.path("rootfs").path("diff_ids").get(0).asText());
        assertEquals(tarDigest.toString(), config.path("rootfs").path("diff_ids").get(1).asText());
        assertEquals(2, config.path("rootfs").path("diff_ids").size());
        assertEquals(2, config.path("history").size());
        assertEquals("Nydus Bootstrap Layer", config.path("history").get(1).path("comment").asText());
        assertEquals("/bin/sh", config.path("config").path("Cmd").get(0).asText(), "everything else kept");
    }

    @Test
    void bootstrapTarHoldsImageDirAndReadOnlyImageBoot() throws Exception {
        byte[] boot = "bootstrap bytes".getBytes(StandardCharsets.UTF_8);
        Path file = Files.write(dir.resolve("image.boot"), boot);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(NydusConverter.bootstrapTar(file)))) {
            TarArchiveEntry first = tar.getNextEntry();
            assertEquals("image/", first.getName());
            TarArchiveEntry second = tar.getNextEntry();
            assertEquals(NydusFormat.BOOTSTRAP_PATH, second.getName());
            assertEquals(0444, second.getMode() & 0777);
            assertArrayEquals(boot, tar.readAllBytes());
        }
    }
}

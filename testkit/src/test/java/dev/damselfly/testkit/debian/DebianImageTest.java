package dev.damselfly.testkit.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.damselfly.testkit.registry.RegistryAuth;
import dev.damselfly.testkit.registry.RegistryServer;
import dev.damselfly.testkit.skopeo.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Debian image (debootstrap + umoci, from the shared cache): its one layer, untarred by GNU tar,
 * reproduces the source tree entry for entry (owners, modes, hard links, devices, xattrs, bytes), and skopeo
 * pushes it to a real registry.
 */
class DebianImageTest {
    private static final DebianImage IMAGE = DebianImage.bookwormWithPython();

    @TempDir
    Path dir;

    @Test
    void theLayerUntarsToTheSourceTree() throws Exception {
        List<Path> layers = IMAGE.layerBlobs();
        assertEquals(1, layers.size(), IMAGE.manifest().toString());
        Path out = Files.createDirectory(dir.resolve("untarred"));
        List<String> tar = List.of("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpzf", layers.get(0).toString(), "-C", out.toString());
        Commands.Result r = Commands.run(tar, null, Duration.ofMinutes(5));
        assertEquals(0, r.exitCode(), r.tail());
        SortedMap<String, TreeEntry> source = TreeListing.of(IMAGE.tree());
        assertTrue(source.size() > 5000 && source.containsKey("/usr/bin/python3") && source.containsKey("/etc/debian_version"),
                "a real Debian tree: " + source.size() + " entries");
        assertTrue(source.values().stream().anyMatch(e -> e.hardLinkGroup() != null), "the tree has hard links to compare");
        assertTrue(source.values().stream().anyMatch(e -> e.device() != null), "the tree has device nodes to compare");
        assertEquals("", TreeListing.describeDifferences(source, TreeListing.of(out)));
    }

    @Test
    void skopeoPushesItToARegistry() {
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.none())) {
            String ref = IMAGE.push(Skopeo.create(), registry.hostPort(), "debian/rootfs", "v1");
            assertEquals(registry.hostPort() + "/debian/rootfs:v1", ref);
            JsonNode pushed = Skopeo.create().inspect(ref, true, null);
            assertEquals(IMAGE.manifest().path("layers").get(0).path("digest").asText(),
                    pushed.path("layers").get(0).path("digest").asText(), pushed.toString());
            JsonNode summary = Skopeo.create().inspect(ref, false, null);
            assertEquals("linux", summary.path("Os").asText());
        }
    }
}

package dev.damselfly.testkit.debian;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.skopeo.Skopeo;
import dev.damselfly.testkit.support.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DebianRootfs} as a one-layer OCI image (gzip layer, this machine's platform) in an OCI image layout
 * made with {@code umoci}: {@code init}, {@code new}, {@code unpack} of the empty image, the tree copied into
 * the bundle with {@code cp -a} (owners, modes, xattrs, hard links, device nodes kept), {@code repack},
 * {@code gc}. The layout is built once per machine and kept in the rootfs's {@link DiskCache} (about 105 MiB,
 * 15 s to build here); {@link #push} copies it into a registry with skopeo.
 */
public final class DebianImage {

    /** The umoci binary: {@value}. */
    public static final String UMOCI = "/usr/bin/umoci";
    /** Default limit for one umoci or cp run: 10 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** Name of the layout directory inside its cache entry: {@value}. */
    static final String LAYOUT_DIR = "layout";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DebianRootfs rootfs;

    private DebianImage(DebianRootfs rootfs) {
        this.rootfs = rootfs;
    }

    /**
     * @param rootfs the tree to package
     * @return its image (nothing is built until asked for)
     */
    public static DebianImage of(DebianRootfs rootfs) {
        return new DebianImage(rootfs);
    }

    /** @return the default tree's image: bookworm minbase with python3-minimal */
    public static DebianImage bookwormWithPython() {
        return of(DebianRootfs.bookwormWithPython());
    }

    /** @return the source tree */
    public DebianRootfs rootfs() {
        return rootfs;
    }

    /** @return the source tree's directory (built when needed); compare copies of the image against it */
    public Path tree() {
        return rootfs.tree();
    }

    /** @return the tag inside the layout: the suite, e.g. {@code bookworm} */
    public String tag() {
        return rootfs.suite();
    }

    /**
     * @return the OCI layout directory, built first when this machine has none
     * @throws DebootstrapException when the tree cannot be built
     * @throws UmociException       when umoci or the copy fails
     */
    public Path layoutDir() {
        Path tree = rootfs.tree();
        return rootfs.cache().get(rootfs.cacheKey() + "-oci", entry -> build(tree, entry)).resolve(LAYOUT_DIR);
    }

    /** @return {@code oci:LAYOUT:TAG}, the image as skopeo and umoci name it */
    public String ociReference() {
        return "oci:" + layoutDir() + ":" + tag();
    }

    /** @return the image manifest of {@link #tag()} */
    public JsonNode manifest() {
        Path layout = layoutDir();
        try {
            for (JsonNode m : JSON.readTree(layout.resolve("index.json").toFile()).path("manifests")) {
                if (tag().equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                    return JSON.readTree(blob(layout, m.path("digest").asText()).toFile());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the layout " + layout, e);
        }
        throw new IllegalStateException("no manifest tagged " + tag() + " in " + layout);
    }

    /** @return the layer blobs (gzip tars), lowest first; one for this image */
    public List<Path> layerBlobs() {
        Path layout = layoutDir();
        List<Path> out = new ArrayList<>();
        for (JsonNode layer : manifest().path("layers")) {
            out.add(blob(layout, layer.path("digest").asText()));
        }
        return out;
    }

    /**
     * Copies the image into a plain-HTTP registry: {@code skopeo copy oci:LAYOUT:TAG docker://HOSTPORT/REPO:TAG}.
     *
     * @param skopeo     the skopeo to run (its timeout applies)
     * @param hostPort   e.g. {@code 127.0.0.1:5000}
     * @param repository e.g. {@code debian/rootfs}
     * @param tag        destination tag
     * @return the pushed reference {@code HOSTPORT/REPO:TAG}
     */
    public String push(Skopeo skopeo, String hostPort, String repository, String tag) {
        String reference = hostPort + "/" + repository + ":" + tag;
        skopeo.run(List.of("copy", "--insecure-policy", "--retry-times", "0", "--dest-tls-verify=false",
                ociReference(), "docker://" + reference));
        return reference;
    }

    private static Path blob(Path layout, String digest) {
        int colon = digest.indexOf(':');
        if (colon < 0) {
            throw new IllegalStateException("bad digest '" + digest + "' in " + layout);
        }
        return layout.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    private void build(Path tree, Path entry) throws IOException {
        if (!Files.isExecutable(Path.of(UMOCI))) {
            throw new UmociException(List.of(UMOCI), -1, UMOCI + " is missing: install the Debian package umoci", null);
        }
        Path layout = entry.resolve(LAYOUT_DIR);
        Path bundle = entry.resolve("bundle");
        String image = layout + ":" + tag();
        try {
            run(List.of(UMOCI, "init", "--layout", layout.toString()));
            run(List.of(UMOCI, "new", "--image", image));
            run(List.of(UMOCI, "unpack", "--image", image, bundle.toString()));
            run(List.of("cp", "-a", "--preserve=all", tree + "/.", bundle.resolve("rootfs") + "/"));
            run(List.of(UMOCI, "repack", "--image", image, bundle.toString()));
            run(List.of(UMOCI, "gc", "--layout", layout.toString()));
        } finally {
            TempDirs.deleteRecursively(bundle);
        }
    }

    private static void run(List<String> command) throws IOException {
        Commands.Result r = Commands.run(command, null, DEFAULT_TIMEOUT);
        if (!r.ok()) {
            throw new UmociException(command, r.exitCode(), r.tail(), null);
        }
    }

    @Override
    public String toString() {
        return "OCI image of " + rootfs;
    }
}

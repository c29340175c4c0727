package dev.damselfly.testkit.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Generates a deterministic multi-layer OCI image and writes it as an OCI image layout directory
 * ({@code oci-layout}, {@code index.json} with the tag in {@code org.opencontainers.image.ref.name},
 * {@code blobs/sha256/}). Usable with {@code skopeo copy oci:DIR:TAG docker://...}.
 *
 * <p>Layers, bottom to top: {@link TestTrees#allEntryTypes} (unless turned off), then
 * {@link TestTrees#simpleLayer} for the remaining count, then optionally one large layer holding
 * {@code large/random.bin} of N bytes streamed from {@link DeterministicBytes}. The config has
 * {@code rootfs.diff_ids} (SHA-256 of each uncompressed tar), one {@code history} entry per layer,
 * {@code os}/{@code architecture} (and {@code variant}), fixed {@code created} times. With
 * {@link #multiPlatform(boolean)} the tag points to an image index of linux/amd64 (identical to the
 * single-platform image of the same seed) and linux/arm64/v8 (own small layers, same large layer).
 *
 * <pre>{@code
 * TestImage image = TestImageGenerator.builder().seed(7).layers(3).largeLayerBytes(64 << 20).writeLayout(dir);
 * }</pre>
 */
public final class TestImageGenerator {

    /** Default seed: 1. */
    public static final long DEFAULT_SEED = 1;
    /** Default number of generated (non-large) layers: 3. */
    public static final int DEFAULT_LAYERS = 3;
    /** Default tag: {@value}. */
    public static final String DEFAULT_TAG = "latest";
    /** The {@code created} time of config and history: {@value}. */
    public static final String CREATED = "2021-01-01T00:00:00Z";
    /** Path of the large layer's single file: {@value}. */
    public static final String LARGE_FILE = "large/random.bin";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ARM64_SEED_SALT = 1_000_003L;
    private static final long LARGE_SEED_SALT = 0x1A26EL;

    private long seed = DEFAULT_SEED;
    private int layers = DEFAULT_LAYERS;
    private LayerCompression compression = LayerCompression.GZIP;
    private boolean allEntryTypesLayer = true;
    private long largeLayerBytes;
    private boolean multiPlatform;
    private String tag = DEFAULT_TAG;

    private TestImageGenerator() {
    }

    /** @return a generator with seed 1, 3 gzip layers (first = all entry types), no large layer, single platform, tag latest */
    public static TestImageGenerator builder() {
        return new TestImageGenerator();
    }

    /**
     * @param seed content seed (default 1)
     * @return this
     */
    public TestImageGenerator seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * @param count number of generated layers, at least 1 (default 3); the large layer is extra
     * @return this
     */
    public TestImageGenerator layers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("an image needs at least one layer, was " + count);
        }
        this.layers = count;
        return this;
    }

    /**
     * @param compression layer storage (default {@link LayerCompression#GZIP})
     * @return this
     */
    public TestImageGenerator compression(LayerCompression compression) {
        this.compression = compression;
        return this;
    }

    /**
     * @param include whether the bottom layer is {@link TestTrees#allEntryTypes} (about 5 MiB,
     *                default true) instead of a small simple layer
     * @return this
     */
    public TestImageGenerator allEntryTypesLayer(boolean include) {
        this.allEntryTypesLayer = include;
        return this;
    }

    /**
     * @param bytes size of the extra top layer's random file; 0 (default) for none. Streamed, never
     *              in memory; gzip'd with deflate level 0 (stored) so multi-GiB stays fast.
     * @return this
     */
    public TestImageGenerator largeLayerBytes(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("largeLayerBytes must be >= 0, was " + bytes);
        }
        this.largeLayerBytes = bytes;
        return this;
    }

    /**
     * @param on whether the tag points to an image index of linux/amd64 and linux/arm64/v8 (default false)
     * @return this
     */
    public TestImageGenerator multiPlatform(boolean on) {
        this.multiPlatform = on;
        return this;
    }

    /**
     * @param tag the tag recorded in {@code index.json} (default {@value #DEFAULT_TAG})
     * @return this
     */
    public TestImageGenerator tag(String tag) {
        this.tag = tag;
        return this;
    }

    /**
     * Writes the image.
     *
     * @param layoutDir a directory that does not exist or is empty
     * @return what was written
     * @throws ImageGenerationException on I/O errors
     * @throws IllegalArgumentException when {@code layoutDir} is not empty
     */
    public TestImage writeLayout(Path layoutDir) {
        try {
            if (Files.isDirectory(layoutDir)) {
                try (Stream<Path> children = Files.list(layoutDir)) {
                    if (children.findAny().isPresent()) {
                        throw new IllegalArgumentException("OCI layout directory must be empty: " + layoutDir);
                    }
                }
            }
            Files.createDirectories(layoutDir);
            OciBlobStore blobs = new OciBlobStore(layoutDir);
            LayerDescriptor large = largeLayerBytes > 0 ? writeLargeLayer(blobs) : null;
            List<PlatformImage> images = new ArrayList<>();
            images.add(writeImage(blobs, Platform.LINUX_AMD64, seed, large));
            String indexDigest = null;
            byte[] indexBytes = null;
            if (multiPlatform) {
                images.add(writeImage(blobs, Platform.LINUX_ARM64_V8, seed + ARM64_SEED_SALT, large));
                indexBytes = imageIndex(images);
                indexDigest = blobs.write(indexBytes);
            }
            ObjectNode layoutIndex = JSON.createObjectNode().put("schemaVersion", 2);
            ObjectNode ref = layoutIndex.putArray("manifests").addObject();
            if (indexDigest != null) {
                ref.put("mediaType", OciMediaTypes.IMAGE_INDEX).put("digest", indexDigest).put("size", indexBytes.length);
            } else {
                PlatformImage only = images.get(0);
                ref.put("mediaType", OciMediaTypes.IMAGE_MANIFEST).put("digest", only.manifestDigest())
                        .put("size", only.manifestBytes().length);
            }
            ref.putObject("annotations").put(OciMediaTypes.REF_NAME_ANNOTATION, tag);
            Files.write(layoutDir.resolve("index.json"), JSON.writeValueAsBytes(layoutIndex));
            Files.write(layoutDir.resolve("oci-layout"),
                    JSON.writeValueAsBytes(JSON.createObjectNode().put("imageLayoutVersion", "1.0.0")));
            return new TestImage(layoutDir, tag, images, indexDigest, indexBytes);
        } catch (IOException e) {
            throw new ImageGenerationException(layoutDir, "writing blobs or index", e);
        }
    }

    private LayerDescriptor writeLargeLayer(OciBlobStore blobs) throws IOException {
        LayerTarBuilder tar = LayerTarBuilder.create()
                .directory("large", 0755)
                .add(TarEntrySpec.file(LARGE_FILE, 0644, largeLayerBytes, ContentSource.random(seed ^ LARGE_SEED_SALT, largeLayerBytes)));
        return blobs.writeLayer(tar, compression, 0);
    }

    private PlatformImage writeImage(OciBlobStore blobs, Platform platform, long platformSeed, LayerDescriptor large)
            throws IOException {
        List<LayerDescriptor> written = new ArrayList<>();
        List<String> createdBy = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            LayerTarBuilder tar = i == 0 && allEntryTypesLayer ? TestTrees.allEntryTypes(platformSeed) : TestTrees.simpleLayer(platformSeed, i);
            written.add(blobs.writeLayer(tar, compression, OciBlobStore.defaultGzipLevel()));
            createdBy.add("damselfly-testkit " + (i == 0 && allEntryTypesLayer ? "all-entry-types" : "simple") + " layer " + i
                    + " seed " + platformSeed);
        }
        if (large != null) {
            written.add(large);
            createdBy.add("damselfly-testkit large layer " + large.uncompressedSize() + " bytes seed " + seed);
        }
        List<String> diffIds = written.stream().map(LayerDescriptor::diffId).toList();
        byte[] config = config(platform, diffIds, createdBy);
        String configDigest = blobs.write(config);

        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OciMediaTypes.IMAGE_MANIFEST);
        manifest.putObject("config").put("mediaType", OciMediaTypes.IMAGE_CONFIG).put("digest", configDigest)
                .put("size", config.length);
        ArrayNode layerArray = manifest.putArray("layers");
        for (LayerDescriptor layer : written) {
            layerArray.addObject().put("mediaType", layer.mediaType()).put("digest", layer.digest()).put("size", layer.size());
        }
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        String manifestDigest = blobs.write(manifestBytes);
        return new PlatformImage(platform, manifestDigest, manifestBytes, configDigest, config, written, diffIds);
    }

    private byte[] config(Platform platform, List<String> diffIds, List<String> createdBy) throws IOException {
        ObjectNode config = JSON.createObjectNode()
                .put("created", CREATED)
                .put("architecture", platform.architecture());
        if (platform.variant() != null) {
            config.put("variant", platform.variant());
        }
        config.put("os", platform.os());
        ObjectNode runtime = config.putObject("config");
        runtime.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        runtime.putArray("Cmd").add("/bin/sh");
        runtime.put("WorkingDir", "/");
        runtime.putObject("Labels").put("dev.damselfly.testkit.seed", Long.toString(seed));
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        ArrayNode history = config.putArray("history");
        createdBy.forEach(c -> history.addObject().put("created", CREATED).put("created_by", c));
        return JSON.writeValueAsBytes(config);
    }

    private static byte[] imageIndex(List<PlatformImage> images) throws IOException {
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OciMediaTypes.IMAGE_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (PlatformImage image : images) {
            ObjectNode m = manifests.addObject()
                    .put("mediaType", OciMediaTypes.IMAGE_MANIFEST)
                    .put("digest", image.manifestDigest())
                    .put("size", image.manifestBytes().length);
            ObjectNode p = m.putObject("platform").put("architecture", image.platform().architecture()).put("os", image.platform().os());
            if (image.platform().variant() != null) {
                p.put("variant", image.platform().variant());
            }
        }
        return JSON.writeValueAsBytes(index);
    }
}

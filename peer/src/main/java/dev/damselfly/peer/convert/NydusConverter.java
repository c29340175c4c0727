package dev.damselfly.peer.convert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.rafs.build.LayerMerger;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts one platform of an OCI or Docker image to a Nydus image. Layers stream from the source registry
 * through the builder (nothing is unpacked to disk; each layer's blob and bootstrap are written to the work
 * directory), blobs are pushed as they are built, and the merged bootstrap goes last.
 */
public final class NydusConverter {
    private static final Logger LOG = LoggerFactory.getLogger(NydusConverter.class);

    private final RegistryClient source;
    private final RegistryClient destination;
    private final LayerBuilder builder;
    private final Consumer<String> progress;

    /**
     * @param progress receives one line per step (layer built, blob pushed, ...)
     */
    public NydusConverter(RegistryClient source, RegistryClient destination, LayerBuilder builder, Consumer<String> progress) {
        this.source = source;
        this.destination = destination;
        this.builder = builder;
        this.progress = progress;
    }

    public ConversionResult convert(ImageReference from, ImageReference to, Platform platform, Path workDir) throws IOException {
        ManifestDocument document = source.resolveManifest(from, platform);
        ImageManifest manifest = document.manifest();
        byte[] configBytes = source.pullBlobBytes(from, manifest.config());
        List<Descriptor> layers = new ArrayList<>();
        List<Path> bootstraps = new ArrayList<>();
        List<String> blobIds = new ArrayList<>();
        long blobBytes = 0;
        int index = 0;
        for (Descriptor layer : manifest.layers()) {
            Path boot = workDir.resolve("layer-" + index + ".boot");
            Path blob = workDir.resolve("layer-" + index + ".blob");
            LayerBuildResult built;
            try (InputStream in = source.pullBlob(from, layer.digest(), layer.size())) {
                built = builder.build(in, boot, blob);
                in.transferTo(OutputStream.nullOutputStream()); // to EOF: the source layer's digest is checked
            }
            Digest blobDigest = Digest.parse(built.blobDigest());
            if (destination.blobSize(to, blobDigest).isEmpty()) {
                destination.pushBlob(to, blobDigest, blob, n -> { });
            }
            layers.add(new Descriptor(NydusFormat.BLOB_MEDIA_TYPE, blobDigest.toString(), built.blobSize(), null,
                    Map.of(NydusFormat.BLOB_ANNOTATION, "true"), null, null));
            bootstraps.add(boot);
            blobIds.add(built.blobId());
            blobBytes += built.blobSize();
            progress.accept(String.format("layer %d/%d %s -> blob %s (%d bytes, %d chunks)", index + 1, manifest.layers().size(),
                    layer.digest().shortHex(), blobDigest.shortHex(), built.blobSize(), built.chunkCount()));
            Files.deleteIfExists(blob);
            index++;
        }
        Path merged = workDir.resolve("image.boot");
        LayerMerger.merge(bootstraps, blobIds, merged);
        byte[] bootstrapTar = bootstrapTar(merged);
        byte[] bootstrapLayer = gzip(bootstrapTar);
        Digest bootstrapDigest = Digest.sha256(bootstrapLayer);
        destination.pushBlob(to, bootstrapDigest, bootstrapLayer.length, new ByteArrayInputStream(bootstrapLayer), n -> { });
        boolean docker = MediaTypes.DOCKER_MANIFEST.equals(document.mediaType());
        layers.add(new Descriptor(docker ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_GZIP, bootstrapDigest.toString(),
                bootstrapLayer.length, null, Map.of(NydusFormat.BOOTSTRAP_ANNOTATION, "true", NydusFormat.FS_VERSION_ANNOTATION, "6"),
                null, null));

        byte[] config = nydusConfig(configBytes, blobIds, Digest.sha256(bootstrapTar));
        Digest configDigest = Digest.sha256(config);
        destination.pushBlob(to, configDigest, config.length, new ByteArrayInputStream(config), n -> { });
        Descriptor configDescriptor = new Descriptor(manifest.config().mediaType(), configDigest, config.length);
        ManifestDocument nydus = ManifestDocument.of(new ImageManifest(2, document.mediaType(), null, configDescriptor, layers,
                null, null));
        Digest pushed = destination.pushManifest(to, nydus);
        long bootstrapBytes = Files.size(merged);
        LOG.info("converted {} to {}: {} layers, {} blob bytes, bootstrap {} bytes, manifest {}", from, to, index, blobBytes,
                bootstrapBytes, pushed);
        return new ConversionResult(pushed, index, blobBytes, bootstrapBytes);
    }

    /** {@code image/} and {@code image/image.boot} (mode 0444), as the Nydus converters write them (spec §4.2). */
    static byte[] bootstrapTar(Path bootstrap) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("image/");
            dir.setMode(040755);
            dir.setModTime(0);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry file = new TarArchiveEntry(NydusFormat.BOOTSTRAP_PATH);
            file.setMode(0100444);
            file.setSize(Files.size(bootstrap));
            file.setModTime(0);
            tar.putArchiveEntry(file);
            Files.copy(bootstrap, tar);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /**
     * The source config with {@code rootfs.diff_ids} = the blob digests then the uncompressed bootstrap tar's
     * digest, and a history entry for the bootstrap layer (spec §4.3).
     */
    static byte[] nydusConfig(byte[] sourceConfig, List<String> blobIds, Digest bootstrapTarDigest) throws IOException {
        ObjectNode config = (ObjectNode) ManifestDocument.JSON.readTree(sourceConfig);
        ObjectNode rootfs = config.withObject("/rootfs");
        rootfs.put("type", "layers");
        ArrayNode diffIds = rootfs.putArray("diff_ids");
        blobIds.forEach(id -> diffIds.add("sha256:" + id));
        diffIds.add(bootstrapTarDigest.toString());
        ArrayNode history = config.has("history") && config.get("history").isArray() ? (ArrayNode) config.get("history")
                : config.putArray("history");
        ObjectNode entry = history.addObject();
        entry.put("created_by", "Nydus Converter");
        entry.put("comment", "Nydus Bootstrap Layer");
        return ManifestDocument.JSON.writeValueAsBytes(config);
    }
}

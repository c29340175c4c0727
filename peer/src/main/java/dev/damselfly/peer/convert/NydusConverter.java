package dev.damselfly.peer.convert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.ImageIndex;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.registry.BlobUpload;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafs.build.LayerBuilder;
import dev.damselfly.rafs.build.LayerMerger;
import dev.damselfly.rafs.build.MergeResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Converts an OCI or Docker image to a Nydus image: one platform ({@link #convert}), or every platform of an index
 * into a new index of Nydus manifests ({@link #convertAll}). Layers stream from the source registry through the
 * builder (nothing is unpacked to disk: each layer's bootstrap is written to the work directory, and its blob goes
 * to the destination in chunks while it is being built, never to disk), and the merged bootstrap goes last. Within one
 * {@link #convertAll} a source layer shared by several platforms is built and pushed once, and its Nydus blob is
 * shared by their manifests.
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

    /** A source layer built once: its Nydus blob layer descriptor, per-layer bootstrap and blob id. */
    private record BuiltLayer(Descriptor descriptor, Path bootstrap, String blobId, long blobSize) {
    }

    /** What converting one manifest pushed. */
    private record Converted(ManifestDocument manifest, ConversionResult result, int layersBuilt) {
    }

    /**
     * Converts the manifest {@code from} names for {@code platform} (the reference's manifest itself when it is not
     * an index) and pushes the Nydus manifest under {@code to}'s tag (or digest).
     */
    public ConversionResult convert(ImageReference from, ImageReference to, Platform platform, Path workDir) throws IOException {
        ManifestDocument document = source.resolveManifest(from, platform);
        Converted c = convertManifest(from, to, document, workDir, new HashMap<>(), "");
        destination.pushManifest(to, c.manifest());
        log(from, to, c.result());
        return c.result();
    }

    /**
     * Converts every platform of the index {@code from} names (attestation entries, platform {@code unknown/unknown},
     * are left out) and pushes each Nydus manifest by digest, then an index of them (the source index's media type,
     * each entry with its source entry's platform) under {@code to}'s tag. A source layer shared by several
     * platforms is built and pushed once. When {@code from} names an image manifest, that manifest alone is
     * converted and pushed under the tag, as {@link #convert} does.
     */
    public MultiPlatformConversion convertAll(ImageReference from, ImageReference to, Path workDir) throws IOException {
        ManifestDocument top = source.pullManifest(from);
        Map<Digest, BuiltLayer> built = new HashMap<>();
        if (!top.isIndex()) {
            Converted c = convertManifest(from, to, top, workDir, built, "");
            Digest pushed = destination.pushManifest(to, c.manifest());
            log(from, to, c.result());
            return new MultiPlatformConversion(pushed, false, List.of(new PlatformConversion(null, c.result())),
                    c.layersBuilt(), c.result().layers() - c.layersBuilt());
        }
        List<Descriptor> entries = new ArrayList<>();
        List<PlatformConversion> platforms = new ArrayList<>();
        int layersBuilt = 0;
        int layers = 0;
        for (Descriptor entry : top.index().manifests()) {
            Platform p = entry.platform();
            if (p != null && "unknown".equals(p.os()) && "unknown".equals(p.architecture())) {
                progress.accept("skipping " + entry.digest().shortHex() + " (platform unknown/unknown: an attestation)");
                continue;
            }
            if (!MediaTypes.isManifest(entry.mediaType())) {
                throw new RegistryException.UnexpectedResponseException(from.toString(), 200, "index entry "
                        + entry.digestText() + " has media type " + entry.mediaType() + ", not an image manifest");
            }
            ManifestDocument document = source.pullManifest(from.withDigest(entry.digest()));
            if (document.isIndex()) {
                throw new RegistryException.UnexpectedResponseException(from.toString(), 200, "index entry "
                        + entry.digestText() + " is itself an index");
            }
            String label = (p == null ? "(no platform)" : p.toString()) + ": ";
            Converted c = convertManifest(from, to, document, workDir, built, label);
            ImageReference byDigest = ImageReference.of(to.registry(), to.repository(), null, c.manifest().digest());
            destination.pushManifest(byDigest, c.manifest());
            entries.add(new Descriptor(c.manifest().mediaType(), c.manifest().digest().toString(), c.manifest().size(),
                    null, null, p, null));
            platforms.add(new PlatformConversion(p, c.result()));
            layersBuilt += c.layersBuilt();
            layers += c.result().layers();
            progress.accept(label + "manifest " + c.manifest().digest());
        }
        if (entries.isEmpty()) {
            throw new RegistryException.NotFoundException(from.toString(), "the index has no image manifest to convert");
        }
        ImageIndex index = new ImageIndex(2, top.mediaType(), entries, null);
        Digest pushed = destination.pushManifest(to, ManifestDocument.of(index));
        LOG.info("converted {} to {}: {} platforms, {} layers ({} built, {} shared), index {}", from, to, entries.size(),
                layers, layersBuilt, layers - layersBuilt, pushed);
        return new MultiPlatformConversion(pushed, true, List.copyOf(platforms), layersBuilt, layers - layersBuilt);
    }

    private static void log(ImageReference from, ImageReference to, ConversionResult r) {
        LOG.info("converted {} to {}: {} layers, {} blob bytes, bootstrap {} bytes, manifest {}", from, to, r.layers(),
                r.blobBytes(), r.bootstrapBytes(), r.manifestDigest());
    }

    /**
     * Builds (or takes from {@code built}) every layer of {@code document}, pushes blobs, the bootstrap layer and the
     * config to {@code to}'s repository, and returns the Nydus manifest (not pushed).
     */
    private Converted convertManifest(ImageReference from, ImageReference to, ManifestDocument document, Path workDir,
                                      Map<Digest, BuiltLayer> built, String label) throws IOException {
        ImageManifest manifest = document.manifest();
        byte[] configBytes = source.pullBlobBytes(from, manifest.config());
        List<Descriptor> layers = new ArrayList<>();
        List<Path> bootstraps = new ArrayList<>();
        List<String> blobIds = new ArrayList<>();
        long blobBytes = 0;
        int index = 0;
        int fresh = 0;
        for (Descriptor layer : manifest.layers()) {
            BuiltLayer b = built.get(layer.digest());
            if (b == null) {
                b = buildLayer(from, to, layer, workDir.resolve("layer-" + layer.digest().hex()));
                built.put(layer.digest(), b);
                fresh++;
                progress.accept(String.format("%slayer %d/%d %s -> blob %s (%d bytes)", label, index + 1,
                        manifest.layers().size(), layer.digest().shortHex(), b.descriptor().digest().shortHex(), b.blobSize()));
            } else {
                progress.accept(String.format("%slayer %d/%d %s -> blob %s (already converted)", label, index + 1,
                        manifest.layers().size(), layer.digest().shortHex(), b.descriptor().digest().shortHex()));
            }
            if (blobIds.contains(b.blobId())) {
                throw new IOException("manifest " + document.digest() + " lists layer " + layer.digestText()
                        + " twice; a Nydus image holds each blob once");
            }
            layers.add(b.descriptor());
            bootstraps.add(b.bootstrap());
            blobIds.add(b.blobId());
            blobBytes += b.blobSize();
            index++;
        }
        Path merged = workDir.resolve("image-" + document.digest().hex() + ".boot");
        MergeResult mergeResult = LayerMerger.merge(bootstraps, blobIds, merged, builder.options().prefetchPaths());
        for (String missing : mergeResult.prefetchMissing()) {
            progress.accept("warning: prefetch path " + missing + " is not in the image; left out of the prefetch table");
        }
        byte[] bootstrapTar = bootstrapTar(merged);
        byte[] bootstrapLayer = gzip(bootstrapTar);
        Digest bootstrapDigest = Digest.sha256(bootstrapLayer);
        pushBytes(to, bootstrapDigest, bootstrapLayer);
        boolean docker = MediaTypes.DOCKER_MANIFEST.equals(document.mediaType());
        layers.add(new Descriptor(docker ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_GZIP, bootstrapDigest.toString(),
                bootstrapLayer.length, null, Map.of(NydusFormat.BOOTSTRAP_ANNOTATION, "true", NydusFormat.FS_VERSION_ANNOTATION, "6"),
                null, null));

        byte[] config = nydusConfig(configBytes, blobIds, Digest.sha256(bootstrapTar));
        Digest configDigest = Digest.sha256(config);
        pushBytes(to, configDigest, config);
        Descriptor configDescriptor = new Descriptor(manifest.config().mediaType(), configDigest, config.length);
        ManifestDocument nydus = ManifestDocument.of(new ImageManifest(2, document.mediaType(), null, configDescriptor, layers,
                null, null));
        long bootstrapBytes = Files.size(merged);
        return new Converted(nydus, new ConversionResult(nydus.digest(), index, blobBytes, bootstrapBytes), fresh);
    }

    /**
     * Streams one source layer through the builder into the destination: the blob is pushed while it is built (in
     * chunks, {@link StreamedBlobPush}), and the upload is completed once the source layer's digest checked out and
     * the blob is not in the repository already (else it is cancelled). The blob is never written to disk.
     */
    private BuiltLayer buildLayer(ImageReference from, ImageReference to, Descriptor layer, Path prefix) throws IOException {
        Path boot = prefix.resolveSibling(prefix.getFileName() + ".boot");
        LayerBuildResult result;
        Digest blobDigest;
        BlobUpload upload = destination.startBlobUpload(to);
        StreamedBlobPush push = new StreamedBlobPush(upload, StreamedBlobPush.DEFAULT_CHUNK_BYTES,
                layer.digest().shortHex());
        boolean pushed = false;
        try {
            try (InputStream in = source.pullBlob(from, layer.digest(), layer.size())) {
                result = builder.buildToStream(in, boot, push);
                in.transferTo(OutputStream.nullOutputStream()); // to EOF: the source layer's digest is checked
            }
            push.finish();
            blobDigest = Digest.parse(result.blobDigest());
            if (push.uploaded() != result.blobSize()) {
                throw new IOException("blob " + blobDigest + ": " + push.uploaded()
                        + " bytes pushed, the builder wrote " + result.blobSize());
            }
            if (destination.blobSize(to, blobDigest).isEmpty()) {
                upload.complete(blobDigest);
            } else {
                upload.cancel();
            }
            pushed = true;
        } finally {
            if (!pushed) {
                push.abandon();
            }
        }
        Descriptor d = new Descriptor(NydusFormat.BLOB_MEDIA_TYPE, blobDigest.toString(), result.blobSize(), null,
                Map.of(NydusFormat.BLOB_ANNOTATION, "true"), null, null);
        return new BuiltLayer(d, boot, result.blobId(), result.blobSize());
    }

    private void pushBytes(ImageReference to, Digest digest, byte[] bytes) throws IOException {
        if (destination.blobSize(to, digest).isEmpty()) {
            destination.pushBlob(to, digest, bytes.length, new ByteArrayInputStream(bytes), n -> { });
        }
    }

    /** {@code image/} and {@code image/image.boot} (mode 0444), as the Nydus converters write them (spec §4.2). */
    public static byte[] bootstrapTar(Path bootstrap) throws IOException {
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

    /** {@code data} gzip-compressed (the bootstrap layer's encoding). */
    public static byte[] gzip(byte[] data) throws IOException {
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

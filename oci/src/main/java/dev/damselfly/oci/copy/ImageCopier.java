package dev.damselfly.oci.copy;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.ImageIndex;
import dev.damselfly.oci.ImageManifest;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.Platform;
import dev.damselfly.oci.RegistryException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies an image: every blob (layers and configs) first, streamed and verified, then child manifests,
 * then the root manifest or index, so the destination never names content it lacks. With a platform,
 * an index is resolved to that platform's manifest and only it is copied.
 */
public final class ImageCopier {
    /** Default number of blobs transferred at once: 3 (what docker and containerd use). */
    public static final int DEFAULT_PARALLEL_BLOBS = 3;
    private static final Logger LOG = LoggerFactory.getLogger(ImageCopier.class);

    private final CopyListener listener;
    private final int parallelBlobs;

    public ImageCopier(CopyListener listener, int parallelBlobs) {
        if (parallelBlobs < 1) {
            throw new IllegalArgumentException("parallelBlobs must be >= 1, got " + parallelBlobs);
        }
        this.listener = listener;
        this.parallelBlobs = parallelBlobs;
    }

    /**
     * @param platform copy only this platform's manifest of an index; null copies every manifest
     */
    public CopyResult copy(ImageSource source, ImageDestination destination, Platform platform) throws IOException {
        ManifestDocument root = source.rootManifest();
        List<ManifestDocument> manifests = new ArrayList<>();
        if (root.isIndex() && platform != null) {
            ImageIndex index = root.index();
            Descriptor chosen = index.select(platform).orElseThrow(() -> new RegistryException.NotFoundException(
                    source.describe(), "no manifest for platform " + platform + " in the index"));
            root = source.manifest(chosen);
            if (root.isIndex()) {
                throw new RegistryException.UnexpectedResponseException(source.describe(), 0, "nested index is not supported");
            }
            manifests.add(root);
        } else if (root.isIndex()) {
            for (Descriptor child : root.index().manifests()) {
                ManifestDocument document = source.manifest(child);
                if (document.isIndex()) {
                    throw new RegistryException.UnexpectedResponseException(source.describe(), 0, "nested index is not supported");
                }
                manifests.add(document);
            }
        } else {
            manifests.add(root);
        }
        Map<String, Descriptor> blobs = new LinkedHashMap<>();
        for (ManifestDocument document : manifests) {
            ImageManifest manifest = document.manifest();
            for (Descriptor layer : manifest.layers()) {
                if (layer.urls() != null && !layer.urls().isEmpty()) {
                    LOG.info("layer {} is foreign (urls set); not copied", layer.digestText());
                    continue;
                }
                blobs.putIfAbsent(layer.digestText(), layer);
            }
            blobs.putIfAbsent(manifest.config().digestText(), manifest.config());
        }
        listener.planned(List.copyOf(blobs.values()));
        Counters counters = copyBlobs(source, destination, new ArrayList<>(blobs.values()));
        if (root.isIndex()) {
            for (ManifestDocument document : manifests) {
                destination.writeChildManifest(document);
                listener.manifestWritten(document.descriptor());
            }
        }
        destination.writeRootManifest(root);
        listener.manifestWritten(root.descriptor());
        LOG.info("copied {} to {}: {} blobs copied ({} bytes), {} present, {} mounted, root {}", source.describe(),
                destination.describe(), counters.copied.get(), counters.bytes.get(), counters.present.get(),
                counters.mounted.get(), root.digest());
        return new CopyResult(root.digest(), counters.copied.get(), counters.present.get(), counters.mounted.get(),
                counters.bytes.get());
    }

    private Counters copyBlobs(ImageSource source, ImageDestination destination, List<Descriptor> blobs) throws IOException {
        Counters counters = new Counters();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelBlobs, Math.max(1, blobs.size())), runnable -> {
            Thread thread = new Thread(runnable, "image-copy");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Descriptor blob : blobs) {
                futures.add(pool.submit(() -> {
                    copyBlob(source, destination, blob, counters);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("blob copy failed", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying " + source.describe(), e);
        } finally {
            pool.shutdownNow();
        }
        return counters;
    }

    private void copyBlob(ImageSource source, ImageDestination destination, Descriptor blob, Counters counters)
            throws IOException {
        listener.blobStarted(blob);
        if (destination.hasBlob(blob)) {
            counters.present.incrementAndGet();
            listener.blobFinished(blob, CopyListener.BlobOutcome.ALREADY_PRESENT);
            return;
        }
        if (source.registryLocation().isPresent() && destination.tryMount(blob, source.registryLocation().get())) {
            counters.mounted.incrementAndGet();
            listener.blobFinished(blob, CopyListener.BlobOutcome.MOUNTED);
            return;
        }
        try (InputStream in = source.openBlob(blob)) {
            // The destination gets a view it cannot close: the copier owns the stream and checks its end.
            destination.writeBlob(blob, new FilterInputStream(in) {
                @Override
                public void close() {
                    // Closed by the copier after the end-of-stream check below.
                }
            }, bytes -> {
                counters.bytes.addAndGet(bytes);
                listener.blobProgress(blob, bytes);
            });
            // A destination reads exactly the descriptor's size; reaching EOF makes the source stream
            // check the digest too, so nothing unverified counts as copied.
            if (in.read() != -1) {
                throw new DigestMismatchException(blob.digest(), "more than " + blob.size() + " bytes", source.describe());
            }
        }
        counters.copied.incrementAndGet();
        listener.blobFinished(blob, CopyListener.BlobOutcome.COPIED);
    }

    private static final class Counters {
        final AtomicInteger copied = new AtomicInteger();
        final AtomicInteger present = new AtomicInteger();
        final AtomicInteger mounted = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
    }
}

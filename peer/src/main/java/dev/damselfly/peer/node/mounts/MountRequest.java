package dev.damselfly.peer.node.mounts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.damselfly.peer.mount.PrefetchMode;
import dev.damselfly.rafsmount.fuse.FuseTransport;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The JSON body of {@code POST /api/v1/mounts}. Exactly one of {@code image} (a registry reference) and
 * {@code bootstrap} (an absolute path, with {@code blobDir}) is required, and {@code mountpoint}; every path must be
 * absolute and free of {@code ..}. Unknown keys are refused (a typo must not silently change a mount). Sizes are
 * bytes. {@link #toString()} never shows {@code creds}.
 *
 * @param image             registry reference of a Nydus image ({@code host/repo:tag}), or null
 * @param bootstrap         local RAFS bootstrap file, or null
 * @param mountpoint        an existing empty directory
 * @param blobDir           directory of blobs named by blob id (required with bootstrap; tried first with image); null
 * @param cacheDir          blob cache directory (nydusd layout); null = none (default)
 * @param cacheSize         cache bound in bytes; null = 10 GiB
 * @param amplifyIo         largest merged source read in bytes; null = 1 MiB
 * @param prefetch          {@code NONE} (default), {@code TABLE} or {@code ALL}; needs cacheDir unless NONE
 * @param prefetchList      paths in the image to prefetch first; null = the bootstrap's prefetch table
 * @param prefetchBandwidth prefetch limit in bytes per second; null or 0 = unlimited
 * @param allowOther        let users other than the node's read the mount; null = false
 * @param creds             {@code USER:PASSWORD} for the image's registry; null = the node's Docker config
 * @param plainHttp         registries ({@code host[:port]}) spoken to over plain HTTP; null = none
 * @param caFile            extra CA certificates (PEM) for the registry; null = none
 * @param retries           registry retries after a 5xx or broken connection; null = 3
 * @param nodeReads         with {@code image}: {@code AUTO} (default: as PIECES when the node's schedulers know other
 *                          hosts, else as RANGES_WHEN_COLD), {@code PIECES} (through the node's engine, whole pieces)
 *                          or {@code RANGES_WHEN_COLD} (reads the node has nothing of take exact registry ranges); see
 *                          {@link NodeReads}
 * @param fuse              how the node talks to the kernel's FUSE driver for this mount: {@code AUTO} (default:
 *                          {@code KERNEL} when the node runs as root, else {@code LIBFUSE}), {@code KERNEL},
 *                          {@code KERNEL_URING} (requests through FUSE-over-io_uring rings where the kernel offers
 *                          them, else as {@code KERNEL}) or {@code LIBFUSE}; see {@link FuseTransport}
 */
public record MountRequest(String image, String bootstrap, String mountpoint, String blobDir, String cacheDir,
                           Long cacheSize, Long amplifyIo, String prefetch, List<String> prefetchList,
                           Long prefetchBandwidth, Boolean allowOther, String creds, List<String> plainHttp,
                           String caFile, Integer retries, String nodeReads, String fuse) {
    /** Largest request body read: 1 MiB. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION) // error texts never echo the body (credentials)
            .build();

    /** Parses and checks a request body. */
    public static MountRequest parse(byte[] body) throws MountRequestException {
        MountRequest request;
        try {
            request = JSON.readValue(body, MountRequest.class);
        } catch (JsonProcessingException e) {
            throw new MountRequestException(400, "bad JSON body: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new MountRequestException(400, "bad JSON body: " + e.getMessage());
        }
        if (request == null) {
            throw new MountRequestException(400, "the body must be a JSON object");
        }
        request.check();
        return request;
    }

    private void check() throws MountRequestException {
        if ((image == null || image.isBlank()) == (bootstrap == null || bootstrap.isBlank())) {
            throw new MountRequestException(400, "exactly one of \"image\" and \"bootstrap\" is required");
        }
        if (mountpoint == null || mountpoint.isBlank()) {
            throw new MountRequestException(400, "\"mountpoint\" is required");
        }
        mountpointPath();
        if (bootstrap != null && blobDir == null) {
            throw new MountRequestException(400, "\"blobDir\" is required with \"bootstrap\"");
        }
        safePath("bootstrap", bootstrap);
        safePath("blobDir", blobDir);
        safePath("cacheDir", cacheDir);
        safePath("caFile", caFile);
        prefetchMode();
        nodeReadsMode();
        fuseTransport();
        if (prefetchMode() != PrefetchMode.NONE && cacheDir == null) {
            throw new MountRequestException(400, "\"prefetch\" needs \"cacheDir\" (prefetched chunks are kept there)");
        }
        if (prefetchList != null && !prefetchList.isEmpty() && cacheDir == null) {
            throw new MountRequestException(400, "\"prefetchList\" needs \"cacheDir\" (prefetched chunks are kept there)");
        }
        if (cacheSize != null && cacheSize < 0 || prefetchBandwidth != null && prefetchBandwidth < 0
                || retries != null && retries < 0) {
            throw new MountRequestException(400, "\"cacheSize\", \"prefetchBandwidth\" and \"retries\" must be 0 or more");
        }
        if (amplifyIo != null && (amplifyIo <= 0 || amplifyIo > Integer.MAX_VALUE)) {
            throw new MountRequestException(400, "\"amplifyIo\" must be more than 0 and below 2 GiB");
        }
        if (creds != null && creds.indexOf(':') <= 0) {
            throw new MountRequestException(400, "\"creds\" must be USER:PASSWORD");
        }
    }

    /** The mount point as an absolute, normalized path. */
    public Path mountpointPath() throws MountRequestException {
        return safePath("mountpoint", mountpoint);
    }

    /** The prefetch mode; NONE when absent. */
    public PrefetchMode prefetchMode() throws MountRequestException {
        return choice("prefetch", prefetch, PrefetchMode.class, PrefetchMode.NONE);
    }

    /** How the node source reads what the node does not have; AUTO when absent. */
    public NodeReads nodeReadsMode() throws MountRequestException {
        return choice("nodeReads", nodeReads, NodeReads.class, NodeReads.AUTO);
    }

    /** The FUSE transport asked for; AUTO when absent. */
    public FuseTransport fuseTransport() throws MountRequestException {
        return choice("fuse", fuse, FuseTransport.class, FuseTransport.AUTO);
    }

    /**
     * The constant of {@code type} that {@code text} names (any case), {@code absent} for null; a 400 naming the key and
     * every allowed value otherwise.
     */
    private static <E extends Enum<E>> E choice(String key, String text, Class<E> type, E absent) throws MountRequestException {
        if (text == null) {
            return absent;
        }
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
            String allowed = String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
            throw new MountRequestException(400, "\"" + key + "\" must be " + allowed + ", got \"" + text + "\"");
        }
    }

    /**
     * {@code text} as a path: absolute, no {@code ..} component; null stays null.
     *
     * @param key the JSON key or query parameter, for the message
     */
    public static Path safePath(String key, String text) throws MountRequestException {
        if (text == null) {
            return null;
        }
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw new MountRequestException(400, "\"" + key + "\" is not a path: " + e.getReason());
        }
        if (!path.isAbsolute()) {
            throw new MountRequestException(400, "\"" + key + "\" must be an absolute path, got \"" + text + "\"");
        }
        for (Path part : path) {
            if (part.toString().equals("..")) {
                throw new MountRequestException(400, "\"" + key + "\" must not contain \"..\", got \"" + text + "\"");
            }
        }
        return path.normalize();
    }

    @Override
    public String toString() {
        return "MountRequest[image=" + image + ", bootstrap=" + bootstrap + ", mountpoint=" + mountpoint
                + (creds != null ? ", creds=<hidden>" : "") + "]";
    }
}

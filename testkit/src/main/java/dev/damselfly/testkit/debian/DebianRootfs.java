package dev.damselfly.testkit.debian;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A Debian root filesystem made by {@code debootstrap --variant=minbase [--include=PKG,...] SUITE DIR MIRROR},
 * built once per machine and kept in a {@link DiskCache} under
 * {@code ${java.io.tmpdir}/damselfly-debian} (or {@value #CACHE_DIR_PROPERTY}), keyed by suite, variant,
 * package list and mirror. The default, {@link #bookwormWithPython()}, is bookworm minbase with
 * {@code python3-minimal}: about 7,500 entries and 220 MiB, 35 s to build here.
 *
 * <p>The cached tree is shared: callers must treat it as read-only (copy it before changing anything).
 * Needs root, {@code /usr/sbin/debootstrap} and the mirror on the first call.
 */
public final class DebianRootfs {

    /** Default suite: {@value}. */
    public static final String DEFAULT_SUITE = "bookworm";
    /** Default debootstrap variant: {@value}. */
    public static final String DEFAULT_VARIANT = "minbase";
    /** Default mirror: {@value}. */
    public static final String DEFAULT_MIRROR = "http://deb.debian.org/debian";
    /** Packages added to the default tree: {@code python3-minimal}. */
    public static final List<String> DEFAULT_PACKAGES = List.of("python3-minimal");
    /** System property naming the cache directory; default {@code ${java.io.tmpdir}/damselfly-debian}. */
    public static final String CACHE_DIR_PROPERTY = "damselfly.debian.cacheDir";
    /** The debootstrap binary: {@value}. */
    public static final String DEBOOTSTRAP = "/usr/sbin/debootstrap";
    /** Default limit for one debootstrap run: 15 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);
    /** Name of the tree's directory inside its cache entry: {@value}. */
    static final String TREE_DIR = "rootfs";

    private final String suite;
    private final String variant;
    private final List<String> packages;
    private final String mirror;
    private final DiskCache cache;
    private final Duration timeout;

    private DebianRootfs(String suite, String variant, List<String> packages, String mirror, DiskCache cache, Duration timeout) {
        this.suite = requireWord(suite, "suite");
        this.variant = requireWord(variant, "variant");
        this.packages = List.copyOf(packages);
        this.packages.forEach(p -> requireWord(p, "package"));
        this.mirror = Objects.requireNonNull(mirror, "mirror");
        this.cache = cache;
        this.timeout = timeout;
    }

    /** @return bookworm, minbase, python3-minimal, deb.debian.org, the default cache */
    public static DebianRootfs bookwormWithPython() {
        return of(DEFAULT_SUITE, DEFAULT_PACKAGES, DEFAULT_MIRROR);
    }

    /**
     * @param suite    e.g. {@code bookworm}
     * @param packages extra packages ({@code --include}), may be empty
     * @param mirror   e.g. {@value #DEFAULT_MIRROR}
     * @return a minbase tree of that suite in the default cache
     */
    public static DebianRootfs of(String suite, List<String> packages, String mirror) {
        return new DebianRootfs(suite, DEFAULT_VARIANT, packages, mirror, new DiskCache(defaultCacheDir()), DEFAULT_TIMEOUT);
    }

    /** @return {@value #CACHE_DIR_PROPERTY} when set, else {@code ${java.io.tmpdir}/damselfly-debian} */
    public static Path defaultCacheDir() {
        String configured = System.getProperty(CACHE_DIR_PROPERTY);
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "damselfly-debian");
    }

    /**
     * @param dir cache directory to use instead of the default
     * @return a copy kept in that cache
     */
    public DebianRootfs withCacheDir(Path dir) {
        return new DebianRootfs(suite, variant, packages, mirror, new DiskCache(dir), timeout);
    }

    /**
     * @param limit longest debootstrap run
     * @return a copy with that limit
     */
    public DebianRootfs withTimeout(Duration limit) {
        return new DebianRootfs(suite, variant, packages, mirror, cache, limit);
    }

    /** @return the suite, e.g. {@code bookworm} */
    public String suite() {
        return suite;
    }

    /** @return the extra packages */
    public List<String> packages() {
        return packages;
    }

    /** @return the cache holding the tree (and images made of it) */
    public DiskCache cache() {
        return cache;
    }

    /**
     * @return the cache key: {@code debian-SUITE-VARIANT-} and 12 hex digits of the SHA-256 of the package list
     *         and mirror, e.g. {@code debian-bookworm-minbase-1a2b3c4d5e6f}
     */
    public String cacheKey() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((String.join(",", packages) + "\n" + mirror).getBytes(StandardCharsets.UTF_8));
            return "debian-" + suite + "-" + variant + "-" + HexFormat.of().formatHex(sha.digest()).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The tree, debootstrapped first when this machine has none in the cache (other JVMs wait for one build).
     *
     * @return the root directory of the tree (read-only by convention)
     * @throws DebootstrapException when debootstrap fails, naming its command and output
     */
    public Path tree() {
        return cache.get(cacheKey(), this::debootstrap).resolve(TREE_DIR);
    }

    /** @return the debootstrap command line for {@code target} */
    public List<String> command(Path target) {
        List<String> command = new ArrayList<>(List.of(DEBOOTSTRAP, "--variant=" + variant));
        if (!packages.isEmpty()) {
            command.add("--include=" + String.join(",", packages));
        }
        command.addAll(List.of(suite, target.toString(), mirror));
        return command;
    }

    private void debootstrap(Path entry) throws IOException {
        Path target = entry.resolve(TREE_DIR);
        List<String> command = command(target);
        if (!Files.isExecutable(Path.of(DEBOOTSTRAP))) {
            throw new DebootstrapException(command, -1, DEBOOTSTRAP + " is missing: install the Debian package debootstrap", null);
        }
        Commands.Result r = Commands.run(command, null, timeout);
        if (!r.ok()) {
            String log = Commands.tailOf(target.resolve("debootstrap/debootstrap.log"), 20);
            throw new DebootstrapException(command, r.exitCode(), r.tail() + (log.isEmpty() ? "" : "\n--- debootstrap.log (tail)\n" + log), null);
        }
        if (!Files.isRegularFile(target.resolve("etc/debian_version"))) {
            throw new DebootstrapException(command, 0, "no etc/debian_version in the tree\n" + r.tail(), null);
        }
    }

    private static String requireWord(String s, String what) {
        if (s == null || !s.matches("[A-Za-z0-9][A-Za-z0-9.+_-]*")) {
            throw new IllegalArgumentException("bad " + what + " '" + s + "'");
        }
        return s;
    }

    @Override
    public String toString() {
        return "debian " + suite + " " + variant + " +" + packages + " from " + mirror;
    }
}

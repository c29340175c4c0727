package dev.damselfly.testkit.debian;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Describes a directory tree as {@link TreeEntry}s by path, so two copies (a source rootfs, a mounted or
 * unpacked image) can be compared with {@link #differences}. Reads every regular file once (SHA-256); extended
 * attributes come from one {@code getfattr -R} run (Debian package {@code attr}). Never follows symlinks.
 */
public final class TreeListing {

    /** The getfattr binary: {@value}. */
    public static final String GETFATTR = "/usr/bin/getfattr";
    /** Longest getfattr run: 5 minutes. */
    static final Duration GETFATTR_TIMEOUT = Duration.ofMinutes(5);
    /** Threads reading file contents at once in {@link #of(Path)}: 8. */
    public static final int DEFAULT_READERS = 8;
    /** Differences listed at most by {@link #describeDifferences}: 40. */
    public static final int MAX_REPORTED = 40;

    private TreeListing() {
    }

    /**
     * Lists a tree, hashing regular files on {@link #DEFAULT_READERS} threads.
     *
     * @param root the tree's root directory
     * @return every path below and including {@code root}, with xattrs
     * @throws UncheckedIOException naming the path that could not be read
     */
    public static SortedMap<String, TreeEntry> of(Path root) {
        return of(root, DEFAULT_READERS);
    }

    /**
     * @param root    the tree's root directory
     * @param readers threads reading file contents at once (a lazy mount serves several reads in parallel)
     * @return every path below and including {@code root}, with xattrs
     * @throws UncheckedIOException naming the path that could not be read
     */
    public static SortedMap<String, TreeEntry> of(Path root, int readers) {
        Map<String, Map<String, String>> xattrs = xattrs(root);
        Map<String, TreeEntry> entries = new HashMap<>();
        Map<String, Object> inodes = new HashMap<>();
        Map<String, Path> regular = new HashMap<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    add(dir);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    add(file);
                    return FileVisitResult.CONTINUE;
                }

                private void add(Path p) throws IOException {
                    String path = treePath(root, p);
                    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,ino,dev,rdev", LinkOption.NOFOLLOW_LINKS);
                    int mode = (Integer) a.get("mode");
                    int type = mode & TreeEntry.S_IFMT;
                    long size = type == TreeEntry.S_IFREG || type == TreeEntry.S_IFLNK ? (Long) a.get("size") : 0;
                    String target = type == TreeEntry.S_IFLNK ? Files.readSymbolicLink(p).toString() : null;
                    String device = type == TreeEntry.S_IFCHR || type == TreeEntry.S_IFBLK ? device((Long) a.get("rdev")) : null;
                    entries.put(path, new TreeEntry(path, mode, ((Number) a.get("uid")).longValue(), ((Number) a.get("gid")).longValue(),
                            size, target, null, device, null, new TreeMap<>(xattrs.getOrDefault(path, Map.of()))));
                    inodes.put(path, a.get("dev") + ":" + a.get("ino"));
                    if (type == TreeEntry.S_IFREG) {
                        regular.put(path, p);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the tree " + root, e);
        }
        hashAll(regular, readers).forEach((path, sha) -> {
            TreeEntry e = entries.get(path);
            entries.put(path, new TreeEntry(path, e.mode(), e.uid(), e.gid(), e.size(), null, sha, null, null, e.xattrs()));
        });
        return withHardLinkGroups(entries, inodes);
    }

    private static Map<String, String> hashAll(Map<String, Path> files, int readers) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, readers), r -> {
            Thread t = new Thread(r, "damselfly-tree-listing");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<String, Future<String>> pending = new TreeMap<>();
            files.forEach((path, file) -> pending.put(path, pool.submit(() -> sha256(file))));
            Map<String, String> out = new HashMap<>();
            for (Map.Entry<String, Future<String>> e : pending.entrySet()) {
                try {
                    out.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException x) {
                    Throwable c = x.getCause();
                    throw new UncheckedIOException("cannot read " + files.get(e.getKey()),
                            c instanceof IOException io ? io : new IOException(c));
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted reading " + files.get(e.getKey())));
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Fills in {@link TreeEntry#hardLinkGroup()}: non-directories with equal inode keys form a group named by
     * its smallest path; paths alone on their inode get {@code null}.
     *
     * @param entries entries by path (their groups are ignored)
     * @param inodes  an inode key per path (any value with equals, e.g. {@code "dev:ino"} or a RAFS inode number)
     * @return the entries with groups, sorted by path
     */
    public static SortedMap<String, TreeEntry> withHardLinkGroups(Map<String, TreeEntry> entries, Map<String, ?> inodes) {
        Map<Object, List<String>> byInode = new HashMap<>();
        for (TreeEntry e : entries.values()) {
            if (!e.isDirectory()) {
                byInode.computeIfAbsent(inodes.get(e.path()), k -> new ArrayList<>()).add(e.path());
            }
        }
        Map<String, String> group = new HashMap<>();
        for (List<String> paths : byInode.values()) {
            if (paths.size() > 1) {
                String first = paths.stream().min(String::compareTo).orElseThrow();
                paths.forEach(p -> group.put(p, first));
            }
        }
        SortedMap<String, TreeEntry> out = new TreeMap<>();
        entries.forEach((p, e) -> out.put(p, e.withHardLinkGroup(group.get(p))));
        return out;
    }

    /**
     * @param expected the reference listing
     * @param actual   the listing to check
     * @return one line per difference: {@code missing PATH}, {@code unexpected PATH}, or
     *         {@code PATH: field expected -> actual; ...}; empty when the listings are equal
     */
    public static List<String> differences(SortedMap<String, TreeEntry> expected, SortedMap<String, TreeEntry> actual) {
        List<String> out = new ArrayList<>();
        for (TreeEntry e : expected.values()) {
            TreeEntry a = actual.get(e.path());
            if (a == null) {
                out.add("missing " + e.path());
            } else {
                String d = e.differencesFrom(a);
                if (!d.isEmpty()) {
                    out.add(e.path() + ": " + d);
                }
            }
        }
        for (String p : actual.keySet()) {
            if (!expected.containsKey(p)) {
                out.add("unexpected " + p);
            }
        }
        return out;
    }

    /**
     * @return "" when equal, else the number of differences and the first {@link #MAX_REPORTED} of them
     */
    public static String describeDifferences(SortedMap<String, TreeEntry> expected, SortedMap<String, TreeEntry> actual) {
        List<String> d = differences(expected, actual);
        if (d.isEmpty()) {
            return "";
        }
        return d.size() + " differences (" + expected.size() + " entries expected, " + actual.size() + " found):\n"
                + String.join("\n", d.subList(0, Math.min(MAX_REPORTED, d.size())));
    }

    /**
     * @param rdev a Linux {@code dev_t} as glibc encodes it (what {@code unix:rdev} returns)
     * @return {@code MAJOR:MINOR}
     */
    public static String device(long rdev) {
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        return major + ":" + minor;
    }

    /** @return lower-case hex SHA-256 of the file's content */
    public static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String treePath(Path root, Path p) {
        String rel = root.relativize(p).toString();
        return rel.isEmpty() ? "/" : "/" + rel;
    }

    /** Every xattr below {@code root}, by tree path: one {@code getfattr -R -P -h -d -m - -e hex .} run. */
    static Map<String, Map<String, String>> xattrs(Path root) {
        List<String> command = List.of(GETFATTR, "-R", "-P", "-h", "-d", "-m", "-", "-e", "hex", ".");
        Commands.Result r;
        try {
            r = Commands.run(command, root, GETFATTR_TIMEOUT);
        } catch (IOException e) {
            throw new CommandFailedException("getfattr", command, -1, String.valueOf(e), e);
        }
        if (!r.ok()) {
            throw new CommandFailedException("getfattr in " + root, command, r.exitCode(), r.tail(), null);
        }
        return parseGetfattr(r.stdout());
    }

    /** Parses {@code getfattr -d -e hex} output of a run in the tree's root ({@code # file: ./a/b} headers). */
    static Map<String, Map<String, String>> parseGetfattr(String output) {
        Map<String, Map<String, String>> out = new HashMap<>();
        String current = null;
        for (String line : output.split("\n")) {
            if (line.startsWith("# file: ")) {
                String name = unescape(line.substring("# file: ".length()));
                name = name.equals(".") ? "" : name.startsWith("./") ? name.substring(2) : name;
                current = "/" + name;
            } else if (!line.isEmpty() && current != null) {
                int eq = line.indexOf('=');
                String key = unescape(eq < 0 ? line : line.substring(0, eq));
                String value = eq < 0 ? "" : line.substring(eq + 1);
                value = value.startsWith("0x") ? value.substring(2).toLowerCase(java.util.Locale.ROOT) : value;
                out.computeIfAbsent(current, k -> new TreeMap<>()).put(key, value);
            }
        }
        return out;
    }

    /** Undoes getfattr's quoting: {@code \\} and three-digit octal escapes of other bytes. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 1 < in.length && in[i + 1] == '\\') {
                bytes.write('\\');
                i++;
            } else if (in[i] == '\\' && i + 3 < in.length && isOctal(in[i + 1]) && isOctal(in[i + 2]) && isOctal(in[i + 3])) {
                bytes.write(((in[i + 1] - '0') << 6) | ((in[i + 2] - '0') << 3) | (in[i + 3] - '0'));
                i += 3;
            } else {
                bytes.write(in[i]);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isOctal(byte b) {
        return b >= '0' && b <= '7';
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

import static dev.damselfly.rafsmount.fuse.kernel.FuseAbi.*;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.damselfly.rafs.DirEntry;
import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.InodeAttributes;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.Xattr;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.ChunkReadException;
import dev.damselfly.rafsmount.read.FileReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers FUSE kernel requests over a {@link RafsImage}, read-only and by inode: one request in, at most one reply
 * out, both little-endian buffers laid out as in {@code linux/fuse.h}. Node ids are image handles (the root is
 * {@link FuseAbi#ROOT_ID}, any other handle {@code h} is node {@code h + 2}); the inode numbers shown to users are
 * {@link InodeView}'s. What it asks of the kernel at INIT: up to 1 MiB per READ ({@code max_pages}), directory
 * listings with attributes ({@code READDIRPLUS}, so a {@code find} + {@code stat} walk needs no LOOKUP per name),
 * cached symlink targets, and no OPEN or OPENDIR at all (it answers them {@code ENOSYS}; the kernel then keeps file
 * pages and directory listings cached across opens and sends no RELEASE). Names and attributes get the configured
 * timeout (the image never changes); a name that does not exist is cached as negative for as long. Thread-safe:
 * the kernel's requests are answered by many workers at once.
 */
final class RafsRequests {
    private static final Logger LOG = LoggerFactory.getLogger(RafsRequests.class);
    /** Directory listings kept for READDIR(PLUS) continuations, directories. */
    private static final int LISTINGS_CACHED = 1024;
    /** Largest READ answered, bytes (256 pages of 4 KiB, {@code max_pages}). */
    static final int MAX_READ = 1 << 20;
    /** Largest request accepted from the kernel besides READ's, bytes (also {@code max_write}). */
    static final int MAX_WRITE = 64 << 10;
    /** Background requests (readahead) the kernel may have in flight at once. */
    private static final int MAX_BACKGROUND = 64;
    private static final int CONGESTION_THRESHOLD = 48;
    private static final int WANTED_FLAGS = ASYNC_READ | BIG_WRITES | DO_READDIRPLUS | PARALLEL_DIROPS | MAX_PAGES
            | CACHE_SYMLINKS | NO_OPEN_SUPPORT | NO_OPENDIR_SUPPORT;

    /** A node's path (for the access trace and logs) and its parent's handle. */
    private record Node(String path, long parent) {
    }

    private final RafsImage image;
    private final InodeView view;
    private final FileReader reader;
    private final MountMetrics metrics;
    private final String label;
    private final long timeoutSeconds;
    private final long root;
    private final boolean debug;
    private final ConcurrentHashMap<Long, Node> nodes = new ConcurrentHashMap<>();
    private final Cache<Long, List<DirEntry>> listings = Caffeine.newBuilder().maximumSize(LISTINGS_CACHED).build();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    /** Whether INIT may accept FUSE over io_uring when the kernel offers it (set before mounting). */
    private volatile boolean uringWanted;
    /** Whether INIT accepted FUSE over io_uring: ring entries must then be registered. */
    private volatile boolean uringAccepted;

    /**
     * @param timeoutSeconds how long the kernel may cache names and attributes, seconds
     * @param debug          log every request and its result (at INFO)
     * @param label          the mount point, for logs
     */
    RafsRequests(RafsImage image, InodeView view, FileReader reader, MountMetrics metrics, long timeoutSeconds,
                 boolean debug, String label) {
        this.debug = debug;
        this.image = image;
        this.view = view;
        this.reader = reader;
        this.metrics = metrics;
        this.timeoutSeconds = timeoutSeconds;
        this.label = label;
        this.root = image.rootHandle();
        nodes.put(root, new Node("/", root));
    }

    /** Completes when the kernel's INIT has been answered: the mount is live. */
    CompletableFuture<Void> started() {
        return started;
    }

    /** Lets INIT accept FUSE over io_uring when the kernel offers it; call before mounting. */
    void wantUring(boolean wanted) {
        uringWanted = wanted;
    }

    /** Whether INIT accepted FUSE over io_uring (the kernel offered it and it was wanted). */
    boolean uringAccepted() {
        return uringAccepted;
    }

    /** The node id of image handle {@code handle}. */
    long nodeId(long handle) {
        return handle == root ? ROOT_ID : handle + 2;
    }

    /** The image handle of node id {@code nodeId}. */
    long handle(long nodeId) {
        return nodeId == ROOT_ID ? root : nodeId - 2;
    }

    /**
     * Called once the reply to a request of {@code opcode} has been written to the device: the kernel has then
     * taken it in (INIT's settings included), so {@link #started()} completes after INIT's.
     */
    void replied(int opcode) {
        if (opcode == INIT) {
            started.complete(null);
        }
    }

    /**
     * Answers the request of {@code length} bytes at the start of {@code in} into {@code out} (from 0: header, then
     * body). Returns the reply's length in bytes, or 0 when the request takes no reply.
     *
     * @param out room for {@link FuseAbi#OUT_HEADER} + {@link #MAX_READ} bytes
     */
    int answer(ByteBuffer in, int length, ByteBuffer out) {
        int opcode = in.getInt(4);
        long unique = in.getLong(8);
        long nodeId = in.getLong(16);
        int result;
        try {
            result = switch (opcode) {
                case INIT -> init(in, out);
                case LOOKUP -> lookup(nodeId, cString(in, IN_HEADER, length), out);
                case GETATTR -> getattr(nodeId, out);
                case READ -> read(nodeId, in.getLong(IN_HEADER + 8), in.getInt(IN_HEADER + 16), out);
                case READDIRPLUS -> readdir(nodeId, in.getLong(IN_HEADER + 8), in.getInt(IN_HEADER + 16), true, out);
                case READDIR -> readdir(nodeId, in.getLong(IN_HEADER + 8), in.getInt(IN_HEADER + 16), false, out);
                case READLINK -> readlink(nodeId, out);
                case GETXATTR -> getxattr(nodeId, in.getInt(IN_HEADER), cString(in, IN_HEADER + 8, length), out);
                case LISTXATTR -> listxattr(nodeId, in.getInt(IN_HEADER), out);
                case STATFS -> statfs(out);
                case FORGET, BATCH_FORGET, INTERRUPT -> Integer.MIN_VALUE; // no reply; nothing is held per lookup
                case DESTROY, RELEASE, RELEASEDIR -> 0;
                case OPEN, OPENDIR, FLUSH, ACCESS -> -ENOSYS; // the kernel stops sending them
                default -> FuseAbi.writes(opcode) ? -EROFS : -ENOSYS;
            };
        } catch (IOException | RuntimeException e) {
            LOG.warn("mount={} {} of node {} failed: {}", label, opcodeName(opcode), nodeId, e.toString());
            result = -EIO;
        }
        if (debug) {
            LOG.info("mount={} {} unique={} node={} -> {}", label, opcodeName(opcode), unique, nodeId,
                    result == Integer.MIN_VALUE ? "no reply" : result < 0 ? "errno " + -result : result + " bytes");
        }
        if (result == Integer.MIN_VALUE) {
            return 0;
        }
        int len = result < 0 ? OUT_HEADER : OUT_HEADER + result;
        out.putInt(0, len);
        out.putInt(4, Math.min(result, 0));
        out.putLong(8, unique);
        return len;
    }

    private int init(ByteBuffer in, ByteBuffer out) {
        int major = in.getInt(IN_HEADER);
        int kernelMinor = in.getInt(IN_HEADER + 4);
        int maxReadahead = in.getInt(IN_HEADER + 8);
        int offered = in.getInt(IN_HEADER + 12);
        if (major != MAJOR || kernelMinor < MIN_MINOR) {
            LOG.error("mount={} the kernel speaks FUSE {}.{}; this needs {}.{} or later", label, major, kernelMinor,
                    MAJOR, MIN_MINOR);
            started.completeExceptionally(new IOException("kernel FUSE protocol " + major + "." + kernelMinor
                    + " is older than " + MAJOR + "." + MIN_MINOR));
            return -EPROTO;
        }
        int minor = Math.min(kernelMinor, MAX_MINOR);
        zero(out, OUT_HEADER, INIT_OUT);
        int b = OUT_HEADER;
        out.putInt(b, MAJOR);
        out.putInt(b + 4, minor);
        out.putInt(b + 8, maxReadahead);
        out.putInt(b + 12, offered & WANTED_FLAGS);
        out.putShort(b + 16, (short) MAX_BACKGROUND);
        out.putShort(b + 18, (short) CONGESTION_THRESHOLD);
        out.putInt(b + 20, MAX_WRITE);
        out.putInt(b + 24, 1); // time granularity, ns
        out.putShort(b + 28, (short) (MAX_READ / 4096));
        int offered2 = (offered & INIT_EXT) != 0 ? in.getInt(IN_HEADER + 16) : 0;
        if (uringWanted && (offered2 & OVER_IO_URING_2) != 0) {
            out.putInt(b + 12, (offered & WANTED_FLAGS) | INIT_EXT);
            out.putInt(b + 32, OVER_IO_URING_2);
            uringAccepted = true;
        }
        LOG.debug("mount={} FUSE {}.{} flags offered {}/{} accepted {}, io_uring {}", label, MAJOR, minor,
                Integer.toHexString(offered), Integer.toHexString(offered2), Integer.toHexString(offered & WANTED_FLAGS),
                uringAccepted ? "accepted" : uringWanted ? "not offered" : "not wanted");
        return INIT_OUT;
    }

    private int lookup(long parentId, byte[] name, ByteBuffer out) throws IOException {
        long parent = handle(parentId);
        InodeAttributes dir = image.stat(parent);
        if (dir.type() != FileType.DIRECTORY) {
            return -ENOTDIR;
        }
        OptionalLong child = image.lookup(parent, name);
        if (child.isEmpty()) {
            zero(out, OUT_HEADER, ENTRY_OUT); // node 0: a negative entry, cached for entry_valid
            out.putLong(OUT_HEADER + 16, timeoutSeconds);
            return ENTRY_OUT;
        }
        long h = child.getAsLong();
        remember(h, parent, name);
        putEntry(out, OUT_HEADER, image.stat(h));
        return ENTRY_OUT;
    }

    private void remember(long handle, long parent, byte[] name) {
        if (!nodes.containsKey(handle)) {
            Node p = nodes.get(parent);
            String base = p == null ? "/#" + parent : p.path();
            String path = (base.equals("/") ? "" : base) + "/" + new String(name, StandardCharsets.UTF_8);
            nodes.putIfAbsent(handle, new Node(path, parent));
        }
    }

    private String path(long handle) {
        Node n = nodes.get(handle);
        return n == null ? "/#" + handle : n.path();
    }

    private int getattr(long nodeId, ByteBuffer out) throws IOException {
        InodeAttributes a = image.stat(handle(nodeId));
        out.putLong(OUT_HEADER, timeoutSeconds);
        out.putInt(OUT_HEADER + 8, 0);
        out.putInt(OUT_HEADER + 12, 0);
        putAttr(out, OUT_HEADER + 16, a);
        return ATTR_OUT;
    }

    private void putEntry(ByteBuffer out, int at, InodeAttributes a) {
        out.putLong(at, nodeId(a.handle()));
        out.putLong(at + 8, 0); // generation: node ids are never reused
        out.putLong(at + 16, timeoutSeconds);
        out.putLong(at + 24, timeoutSeconds);
        out.putInt(at + 32, 0);
        out.putInt(at + 36, 0);
        putAttr(out, at + 40, a);
    }

    private void putAttr(ByteBuffer out, int at, InodeAttributes a) {
        long sec = view.mtimeSeconds(a);
        int nsec = sec == a.mtimeSeconds() ? (int) a.mtimeNanos() : 0;
        out.putLong(at, view.inodeNumber(a));
        out.putLong(at + 8, a.size());
        out.putLong(at + 16, view.blocks(a));
        out.putLong(at + 24, sec);
        out.putLong(at + 32, sec);
        out.putLong(at + 40, sec);
        out.putInt(at + 48, nsec);
        out.putInt(at + 52, nsec);
        out.putInt(at + 56, nsec);
        out.putInt(at + 60, view.mode(a));
        out.putInt(at + 64, (int) a.nlink());
        out.putInt(at + 68, (int) view.uid(a));
        out.putInt(at + 72, (int) view.gid(a));
        out.putInt(at + 76, (int) view.rdev(a)); // major < 4096 and minor < 2^20 fit the kernel's 32-bit encoding
        out.putInt(at + 80, InodeView.BLOCK_SIZE);
        out.putInt(at + 84, 0);
    }

    private int read(long nodeId, long offset, int size, ByteBuffer out) throws IOException {
        long start = System.nanoTime();
        long h = handle(nodeId);
        int n = 0;
        try {
            InodeAttributes a = image.stat(h);
            if (a.type() != FileType.REGULAR) {
                return -EINVAL;
            }
            int want = (int) Math.max(0, Math.min(Math.min(size, MAX_READ), a.size() - offset));
            if (want == 0) {
                return 0;
            }
            ByteBuffer into = out.duplicate();
            into.limit(OUT_HEADER + want).position(OUT_HEADER);
            n = reader.read(path(h), h, a.size(), offset, into);
            return n;
        } catch (ChunkReadException e) {
            return -EIO; // the loader logged the one line naming file, chunk, blob and source
        } finally {
            metrics.readDone(System.nanoTime() - start, n);
        }
    }

    private int readdir(long nodeId, long offset, int size, boolean plus, ByteBuffer out) throws IOException {
        long dirHandle = handle(nodeId);
        InodeAttributes dir = image.stat(dirHandle);
        if (dir.type() != FileType.DIRECTORY) {
            return -ENOTDIR;
        }
        List<DirEntry> entries = listing(dirHandle);
        int room = Math.min(size, MAX_READ);
        int at = OUT_HEADER;
        int end = OUT_HEADER + room;
        for (long index = Math.max(0, offset); index < entries.size() + 2L; index++) {
            byte[] name;
            long child;
            if (index < 2) {
                name = index == 0 ? DOT : DOT_DOT;
                Node self = nodes.get(dirHandle);
                child = index == 0 || self == null ? dirHandle : self.parent();
            } else {
                DirEntry e = entries.get((int) (index - 2));
                name = e.name();
                child = e.handle();
            }
            int record = align8((plus ? ENTRY_OUT : 0) + DIRENT_HEADER + name.length);
            if (at + record > end) {
                break; // the kernel asks for the rest from here (off = index)
            }
            InodeAttributes a = index == 0 ? dir : image.stat(child);
            int dirent = at;
            if (plus) {
                if (index < 2) {
                    zero(out, at, ENTRY_OUT); // the kernel makes no dentry of "." and ".."
                } else {
                    remember(child, dirHandle, name);
                    putEntry(out, at, a);
                }
                dirent += ENTRY_OUT;
            }
            out.putLong(dirent, view.inodeNumber(a));
            out.putLong(dirent + 8, index + 1); // where the next READDIR continues
            out.putInt(dirent + 16, name.length);
            out.putInt(dirent + 20, (view.mode(a) & FileType.S_IFMT) >>> 12);
            out.put(dirent + DIRENT_HEADER, name);
            zero(out, dirent + DIRENT_HEADER + name.length, at + record - (dirent + DIRENT_HEADER + name.length));
            at += record;
        }
        return at - OUT_HEADER;
    }

    private static final byte[] DOT = {'.'};
    private static final byte[] DOT_DOT = {'.', '.'};

    private List<DirEntry> listing(long dirHandle) throws RafsException {
        List<DirEntry> cached = listings.getIfPresent(dirHandle);
        if (cached == null) {
            cached = image.readDir(dirHandle);
            listings.put(dirHandle, cached);
        }
        return cached;
    }

    private int readlink(long nodeId, ByteBuffer out) throws IOException {
        long h = handle(nodeId);
        if (image.stat(h).type() != FileType.SYMLINK) {
            return -EINVAL;
        }
        byte[] target = image.readLink(h);
        if (target.length > MAX_READ) {
            return -EIO;
        }
        out.put(OUT_HEADER, target);
        return target.length;
    }

    private int getxattr(long nodeId, int size, byte[] name, ByteBuffer out) throws IOException {
        for (Xattr x : image.xattrs(handle(nodeId))) {
            if (Arrays.equals(x.name(), name)) {
                return sized(x.value(), size, out);
            }
        }
        return -ENODATA;
    }

    private int listxattr(long nodeId, int size, ByteBuffer out) throws IOException {
        List<Xattr> xs = image.xattrs(handle(nodeId));
        int total = 0;
        for (Xattr x : xs) {
            total += x.name().length + 1;
        }
        byte[] list = new byte[total];
        int at = 0;
        for (Xattr x : xs) {
            System.arraycopy(x.name(), 0, list, at, x.name().length);
            at += x.name().length + 1;
        }
        return sized(list, size, out);
    }

    /** The xattr convention: size 0 asks for the length, a smaller buffer than the value is ERANGE. */
    private static int sized(byte[] value, int size, ByteBuffer out) {
        if (size == 0) {
            out.putInt(OUT_HEADER, value.length);
            out.putInt(OUT_HEADER + 4, 0);
            return GETXATTR_OUT;
        }
        if (size < value.length || value.length > MAX_READ) {
            return -ERANGE;
        }
        out.put(OUT_HEADER, value);
        return value.length;
    }

    private int statfs(ByteBuffer out) {
        zero(out, OUT_HEADER, STATFS_OUT);
        out.putLong(OUT_HEADER + 24, image.inodeCount());
        out.putInt(OUT_HEADER + 40, 512); // bsize
        out.putInt(OUT_HEADER + 44, 255); // namelen
        out.putInt(OUT_HEADER + 48, 512); // frsize
        return STATFS_OUT;
    }

    /** The NUL-terminated string at {@code from} (to the NUL, or to the end of the request). */
    private static byte[] cString(ByteBuffer in, int from, int length) {
        int end = from;
        while (end < length && in.get(end) != 0) {
            end++;
        }
        byte[] s = new byte[end - from];
        in.get(from, s);
        return s;
    }

    private static void zero(ByteBuffer out, int from, int count) {
        for (int i = 0; i < count; i++) {
            out.put(from + i, (byte) 0);
        }
    }
}

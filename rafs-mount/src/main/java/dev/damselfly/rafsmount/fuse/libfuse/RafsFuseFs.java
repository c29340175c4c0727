package dev.damselfly.rafsmount.fuse.libfuse;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.kenai.jffi.MemoryIO;
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
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * Read-only FUSE callbacks over a {@link RafsImage}: getattr, readdir, open, read, readlink, getxattr,
 * listxattr, statfs, release. Paths from libfuse are resolved to inode handles once and remembered (the
 * image is immutable); an open file carries its handle in {@code fh}. Errors map to errno: unknown path
 * {@code ENOENT}, write access {@code EROFS}, a chunk that cannot be delivered verified {@code EIO}.
 * Every read request is timed into {@link MountMetrics}. Called from libfuse's worker threads concurrently.
 */
final class RafsFuseFs extends FuseStubFS {
    private static final Logger LOG = LoggerFactory.getLogger(RafsFuseFs.class);
    private static final int O_ACCMODE = 3;
    /** Resolved paths remembered (entries; each ~100 bytes plus the path). */
    private static final int PATH_CACHE_ENTRIES = 65_536;
    /** Wraps libfuse's reply buffers as direct ByteBuffers (no copy). */
    private static final MemoryIO MEMORY = MemoryIO.getInstance();

    private final RafsImage image;
    private final InodeView view;
    private final FileReader reader;
    private final String label;
    private final MountMetrics metrics;
    private final Cache<String, OptionalLong> paths = Caffeine.newBuilder().maximumSize(PATH_CACHE_ENTRIES).build();
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    RafsFuseFs(RafsImage image, InodeView view, FileReader reader, String label, MountMetrics metrics) {
        this.metrics = metrics;
        this.image = image;
        this.view = view;
        this.reader = reader;
        this.label = label;
    }

    /** Completes when the kernel has sent INIT, i.e. the mount is live. */
    CompletableFuture<Void> started() {
        return started;
    }

    /** The {@code struct fuse_operations} whose function pointers call this object (libfuse copies it at setup). */
    FuseOperations operations() {
        return fuseOperations;
    }

    @Override
    public Pointer init(Pointer conn) {
        started.complete(null);
        return null;
    }

    private long resolve(String path) throws RafsException {
        try {
            OptionalLong h = paths.get(path, p -> {
                try {
                    return image.resolve(p);
                } catch (RafsException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return h.isPresent() ? h.getAsLong() : -1;
        } catch (UncheckedIOException e) {
            throw (RafsException) e.getCause();
        }
    }

    /** Any failure of a metadata operation is EIO (never an exception into libfuse's thread). */
    private int error(String op, String path, Exception e) {
        LOG.warn("{} {} on {} failed: {}", op, path, label, e.toString());
        return -ErrorCodes.EIO();
    }

    @Override
    public int getattr(String path, FileStat stat) {
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            fill(stat, image.stat(h));
            return 0;
        } catch (IOException | RuntimeException e) {
            return error("getattr", path, e);
        }
    }

    private void fill(FileStat st, InodeAttributes a) {
        st.st_ino.set(view.inodeNumber(a));
        st.st_mode.set(view.mode(a));
        st.st_nlink.set(a.nlink());
        st.st_uid.set(view.uid(a));
        st.st_gid.set(view.gid(a));
        st.st_rdev.set(view.rdev(a));
        st.st_size.set(a.size());
        st.st_blksize.set(InodeView.BLOCK_SIZE);
        st.st_blocks.set(view.blocks(a));
        long sec = view.mtimeSeconds(a);
        long nsec = sec == a.mtimeSeconds() ? a.mtimeNanos() : 0;
        st.st_mtim.tv_sec.set(sec);
        st.st_mtim.tv_nsec.set(nsec);
        st.st_atim.tv_sec.set(sec);
        st.st_atim.tv_nsec.set(nsec);
        st.st_ctim.tv_sec.set(sec);
        st.st_ctim.tv_nsec.set(nsec);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            InodeAttributes dir = image.stat(h);
            if (dir.type() != FileType.DIRECTORY) {
                return -ErrorCodes.ENOTDIR();
            }
            FileStat st = new FileStat(Runtime.getSystemRuntime());
            Pointer mem = Struct.getMemory(st);
            st.st_ino.set(view.inodeNumber(dir));
            st.st_mode.set(view.mode(dir));
            filler.apply(buf, cString(".".getBytes(StandardCharsets.US_ASCII)), mem, 0);
            filler.apply(buf, cString("..".getBytes(StandardCharsets.US_ASCII)), null, 0);
            for (DirEntry e : image.readDir(h)) {
                InodeAttributes a = image.stat(e.handle());
                st.st_ino.set(view.inodeNumber(a));
                st.st_mode.set(a.mode() & FileType.S_IFMT);
                if (filler.apply(buf, cString(e.name()), mem, 0) != 0) {
                    break;
                }
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            return error("readdir", path, e);
        }
    }

    private static ByteBuffer cString(byte[] name) {
        return ByteBuffer.wrap(Arrays.copyOf(name, name.length + 1));
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if ((fi.flags.get() & O_ACCMODE) != 0) {
            return -ErrorCodes.EROFS();
        }
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            FileType t = image.stat(h).type();
            if (t == FileType.DIRECTORY) {
                return -ErrorCodes.EISDIR();
            }
            fi.fh.set(h);
            return 0;
        } catch (IOException | RuntimeException e) {
            return error("open", path, e);
        }
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        long start = System.nanoTime();
        int result = readTimed(path, buf, size, offset, fi);
        metrics.readDone(System.nanoTime() - start, Math.max(result, 0));
        return result;
    }

    private int readTimed(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        long h = fi.fh.get();
        try {
            InodeAttributes a = image.stat(h);
            if (a.type() != FileType.REGULAR) {
                return -ErrorCodes.EINVAL();
            }
            int want = (int) Math.min(size, Math.max(0, Math.min(Integer.MAX_VALUE, a.size() - offset)));
            if (want == 0) {
                return 0;
            }
            if (buf.isDirect()) {
                // the reply buffer libfuse hands us, as a direct ByteBuffer: cached chunks are read into it with pread
                ByteBuffer out = MEMORY.newDirectByteBuffer(buf.address(), want);
                return reader.read(path, h, a.size(), offset, out);
            }
            byte[] out = new byte[want];
            int n = reader.read(path, h, a.size(), offset, out, out.length);
            buf.put(0, out, 0, n);
            return n;
        } catch (ChunkReadException e) {
            return -ErrorCodes.EIO(); // ChunkLoader logged the one line naming file, chunk, blob and source
        } catch (IOException | RuntimeException e) {
            return error("read", path, e);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return 0;
    }

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            if (image.stat(h).type() != FileType.SYMLINK) {
                return -ErrorCodes.EINVAL();
            }
            byte[] target = image.readLink(h);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        } catch (IOException | RuntimeException e) {
            return error("readlink", path, e);
        }
    }

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
            for (Xattr x : image.xattrs(h)) {
                if (Arrays.equals(x.name(), wanted)) {
                    byte[] v = x.value();
                    if (size == 0) {
                        return v.length;
                    }
                    if (size < v.length) {
                        return -ErrorCodes.ERANGE();
                    }
                    value.put(0, v, 0, v.length);
                    return v.length;
                }
            }
            return -ErrorCodes.ENODATA();
        } catch (IOException | RuntimeException e) {
            return error("getxattr", path, e);
        }
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        try {
            long h = resolve(path);
            if (h < 0) {
                return -ErrorCodes.ENOENT();
            }
            List<Xattr> xs = image.xattrs(h);
            int total = 0;
            for (Xattr x : xs) {
                total += x.name().length + 1;
            }
            if (size == 0) {
                return total;
            }
            if (size < total) {
                return -ErrorCodes.ERANGE();
            }
            int at = 0;
            for (Xattr x : xs) {
                list.put(at, x.name(), 0, x.name().length);
                at += x.name().length;
                list.putByte(at++, (byte) 0);
            }
            return total;
        } catch (IOException | RuntimeException e) {
            return error("listxattr", path, e);
        }
    }

    @Override
    public int statfs(String path, Statvfs st) {
        st.f_bsize.set(512);
        st.f_frsize.set(512);
        st.f_blocks.set(0);
        st.f_bfree.set(0);
        st.f_bavail.set(0);
        st.f_files.set(image.inodeCount());
        st.f_ffree.set(0);
        st.f_favail.set(0);
        st.f_namemax.set(255);
        return 0;
    }
}

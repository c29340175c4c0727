package dev.damselfly.rafsmount.fuse.kernel;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One open {@code /dev/fuse}: the connection to the kernel that a {@code mount(2)} of type {@code fuse.*} binds to a
 * mount point. Requests are read from it whole, one per {@code read(2)}, and each reply is written whole, one per
 * {@code write(2)}; any number of threads may read and write at once. Opened close-on-exec, so that no child
 * process keeps the connection (and the mount) alive.
 */
final class DevFuse implements AutoCloseable {
    /** {@code O_RDWR | O_CLOEXEC}. */
    private static final int OPEN_FLAGS = 02 | 02000000;
    /** {@code MS_RDONLY | MS_NOSUID | MS_NODEV}. */
    private static final long MOUNT_FLAGS = 1 | 2 | 4;
    /** {@code MNT_DETACH}: lazy unmount. */
    private static final int MNT_DETACH = 2;
    private static final Path DEVICE = Path.of("/dev/fuse");

    private static volatile LibC libc;

    private final LibC c;
    private final Runtime runtime;
    private final int fd;
    private volatile boolean closed;

    private DevFuse(LibC c, int fd) {
        this.c = c;
        this.runtime = Runtime.getRuntime(c);
        this.fd = fd;
    }

    /** The bound C library (loaded once). */
    static LibC libc() {
        LibC l = libc;
        if (l == null) {
            synchronized (DevFuse.class) {
                l = libc;
                if (l == null) {
                    l = LibraryLoader.create(LibC.class).load("c");
                    libc = l;
                }
            }
        }
        return l;
    }

    /** Opens {@code /dev/fuse}. */
    static DevFuse open() throws IOException {
        LibC c = libc();
        int fd = c.open(DEVICE.toString(), OPEN_FLAGS);
        if (fd < 0) {
            throw new IOException("cannot open " + DEVICE + ": errno " + LastError.getLastError(Runtime.getRuntime(c)));
        }
        return new DevFuse(c, fd);
    }

    /**
     * Mounts this connection read-only at {@code mountpoint} ({@code mount(2)}, needs CAP_SYS_ADMIN).
     *
     * @param fsname     what {@code /proc/mounts} shows as the source
     * @param subtype    the part after {@code fuse.} in the filesystem type
     * @param allowOther let users other than {@code uid} use the mount
     */
    void mount(Path mountpoint, String fsname, String subtype, long uid, long gid, boolean allowOther) throws IOException {
        String data = "fd=" + fd + ",rootmode=40000,user_id=" + uid + ",group_id=" + gid + ",default_permissions"
                + (allowOther ? ",allow_other" : "");
        if (c.mount(fsname, mountpoint.toString(), "fuse." + subtype, MOUNT_FLAGS, data) != 0) {
            throw new IOException("mount(2) of " + mountpoint + " failed: errno " + LastError.getLastError(runtime)
                    + " (a kernel FUSE mount needs CAP_SYS_ADMIN)");
        }
    }

    /** {@code umount2(2)} of {@code mountpoint}, lazily when {@code lazy}; returns 0 or the errno. */
    static int unmount(Path mountpoint, boolean lazy) {
        LibC c = libc();
        if (c.umount2(mountpoint.toString(), lazy ? MNT_DETACH : 0) == 0) {
            return 0;
        }
        return LastError.getLastError(Runtime.getRuntime(c));
    }

    /** Reads one request into {@code buffer}; returns its length in bytes, or minus the errno. */
    long read(Pointer buffer, int capacity) {
        long n = c.read(fd, buffer, capacity);
        return n >= 0 ? n : -LastError.getLastError(runtime);
    }

    /** Writes one reply of {@code length} bytes from {@code buffer}; returns 0 or minus the errno. */
    int write(Pointer buffer, int length) {
        long n = c.write(fd, buffer, length);
        return n >= 0 ? 0 : -LastError.getLastError(runtime);
    }

    /** The file descriptor, for commands to it through io_uring. */
    int fd() {
        return fd;
    }

    /** The jnr runtime for allocating buffers this device reads into and writes from. */
    Runtime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            c.close(fd);
        }
    }
}

package dev.damselfly.rafsmount.fuse.kernel;

/**
 * The numbers of the Linux FUSE kernel protocol (ABI 7.x, {@code include/uapi/linux/fuse.h}) that this read-only
 * filesystem speaks: opcodes, structure sizes in bytes, INIT capability flags, open flags and the errno values it
 * answers with (Linux, every architecture Damselfly runs on). All integers on the wire are little-endian on x86_64
 * and aarch64 (host order; the kernel does not convert).
 */
final class FuseAbi {
    /** Protocol major version spoken. */
    static final int MAJOR = 7;
    /** Highest protocol minor version spoken (7.38: Linux 6.2's ABI; the kernel adapts to a lower one). */
    static final int MAX_MINOR = 38;
    /** Lowest kernel minor version accepted (7.28: {@code max_pages}, 1 MiB requests). */
    static final int MIN_MINOR = 28;
    /** The node id of the root directory. */
    static final long ROOT_ID = 1;

    // opcodes
    static final int LOOKUP = 1;
    static final int FORGET = 2;
    static final int GETATTR = 3;
    static final int READLINK = 5;
    static final int OPEN = 14;
    static final int READ = 15;
    static final int STATFS = 17;
    static final int RELEASE = 18;
    static final int GETXATTR = 22;
    static final int LISTXATTR = 23;
    static final int FLUSH = 25;
    static final int INIT = 26;
    static final int OPENDIR = 27;
    static final int READDIR = 28;
    static final int RELEASEDIR = 29;
    static final int ACCESS = 34;
    static final int INTERRUPT = 36;
    static final int DESTROY = 38;
    static final int BATCH_FORGET = 42;
    static final int READDIRPLUS = 44;

    // requests that change the filesystem: answered EROFS
    static final int SETATTR = 4;
    static final int SYMLINK = 6;
    static final int MKNOD = 8;
    static final int MKDIR = 9;
    static final int UNLINK = 10;
    static final int RMDIR = 11;
    static final int RENAME = 12;
    static final int LINK = 13;
    static final int WRITE = 16;
    static final int SETXATTR = 21;
    static final int REMOVEXATTR = 24;
    static final int CREATE = 35;
    static final int FALLOCATE = 43;
    static final int RENAME2 = 45;
    static final int COPY_FILE_RANGE = 47;
    static final int TMPFILE = 51;

    // sizes, bytes
    static final int IN_HEADER = 40;
    static final int OUT_HEADER = 16;
    static final int ATTR = 88;
    static final int ENTRY_OUT = 40 + ATTR;
    static final int ATTR_OUT = 16 + ATTR;
    static final int INIT_OUT = 64;
    static final int STATFS_OUT = 80;
    static final int GETXATTR_OUT = 8;
    static final int DIRENT_HEADER = 24;

    // INIT flags (fuse_init_in.flags / fuse_init_out.flags)
    static final int ASYNC_READ = 1;
    static final int BIG_WRITES = 1 << 5;
    static final int DO_READDIRPLUS = 1 << 13;
    static final int NO_OPEN_SUPPORT = 1 << 17;
    static final int PARALLEL_DIROPS = 1 << 18;
    static final int MAX_PAGES = 1 << 22;
    static final int CACHE_SYMLINKS = 1 << 23;
    static final int NO_OPENDIR_SUPPORT = 1 << 24;
    /** The INIT structures carry {@code flags2}, the upper 32 flag bits. */
    static final int INIT_EXT = 1 << 30;
    // INIT flags2 (bit n is flag bit 32 + n)
    /** {@code FUSE_OVER_IO_URING} (7.42): requests may come through io_uring ring entries. */
    static final int OVER_IO_URING_2 = 1 << (41 - 32);

    // errno (Linux)
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EAGAIN = 11;
    static final int ENODEV = 19;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EROFS = 30;
    static final int ERANGE = 34;
    static final int ENOSYS = 38;
    static final int ENODATA = 61;
    static final int EPROTO = 71;

    private FuseAbi() {
    }

    /** A readable name of {@code opcode} for logs. */
    static String opcodeName(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "LOOKUP";
            case FORGET -> "FORGET";
            case GETATTR -> "GETATTR";
            case READLINK -> "READLINK";
            case OPEN -> "OPEN";
            case READ -> "READ";
            case STATFS -> "STATFS";
            case RELEASE -> "RELEASE";
            case GETXATTR -> "GETXATTR";
            case LISTXATTR -> "LISTXATTR";
            case FLUSH -> "FLUSH";
            case INIT -> "INIT";
            case OPENDIR -> "OPENDIR";
            case READDIR -> "READDIR";
            case RELEASEDIR -> "RELEASEDIR";
            case ACCESS -> "ACCESS";
            case INTERRUPT -> "INTERRUPT";
            case DESTROY -> "DESTROY";
            case BATCH_FORGET -> "BATCH_FORGET";
            case READDIRPLUS -> "READDIRPLUS";
            default -> "opcode " + opcode;
        };
    }

    /** Whether {@code opcode} asks to change the filesystem (answered EROFS). */
    static boolean writes(int opcode) {
        return switch (opcode) {
            case SETATTR, SYMLINK, MKNOD, MKDIR, UNLINK, RMDIR, RENAME, LINK, WRITE, SETXATTR, REMOVEXATTR, CREATE,
                    FALLOCATE, RENAME2, COPY_FILE_RANGE, TMPFILE -> true;
            default -> false;
        };
    }

    /** {@code n} rounded up to the 8-byte alignment of directory records. */
    static int align8(int n) {
        return (n + 7) & ~7;
    }
}

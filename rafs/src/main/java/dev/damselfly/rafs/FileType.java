package dev.damselfly.rafs;

/** POSIX file type of an inode, decoded from the {@code S_IFMT} bits of its mode. */
public enum FileType {
    REGULAR, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO, SOCKET, UNKNOWN;

    /** {@code S_IFMT} mask of a POSIX mode. */
    public static final int S_IFMT = 0170000;

    /** Type encoded in {@code mode}; {@link #UNKNOWN} for values POSIX does not define. */
    public static FileType ofMode(int mode) {
        switch (mode & S_IFMT) {
            case 0100000: return REGULAR;
            case 0040000: return DIRECTORY;
            case 0120000: return SYMLINK;
            case 0020000: return CHAR_DEVICE;
            case 0060000: return BLOCK_DEVICE;
            case 0010000: return FIFO;
            case 0140000: return SOCKET;
            default: return UNKNOWN;
        }
    }

    /** EROFS dirent {@code file_type} code (0 unknown, 1 regular, 2 dir, 3 chr, 4 blk, 5 fifo, 6 sock, 7 symlink). */
    public static FileType ofDirentType(int code) {
        switch (code) {
            case 1: return REGULAR;
            case 2: return DIRECTORY;
            case 3: return CHAR_DEVICE;
            case 4: return BLOCK_DEVICE;
            case 5: return FIFO;
            case 6: return SOCKET;
            case 7: return SYMLINK;
            default: return UNKNOWN;
        }
    }
}

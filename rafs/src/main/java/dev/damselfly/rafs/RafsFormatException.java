package dev.damselfly.rafs;

/**
 * Bytes that do not follow the RAFS / Nydus blob format: wrong magic, truncated structures, values out of
 * range, inconsistent tables, directory cycles. Carries the input's name and the byte offset (in that
 * input) where the problem was found, and the inode handle when one is involved.
 */
public class RafsFormatException extends RafsException {
    private static final long serialVersionUID = 1L;
    /** Sentinel for {@link #offset()} / {@link #inode()} when unknown. */
    public static final long UNKNOWN = -1;

    private final String input;
    private final long offset;
    private final long inode;

    public RafsFormatException(String input, long offset, String reason) {
        this(input, offset, UNKNOWN, reason, null);
    }

    public RafsFormatException(String input, long offset, long inode, String reason) {
        this(input, offset, inode, reason, null);
    }

    public RafsFormatException(String input, long offset, long inode, String reason, Throwable cause) {
        super(describe(input, offset, inode, reason), cause);
        this.input = input;
        this.offset = offset;
        this.inode = inode;
    }

    private static String describe(String input, long offset, long inode, String reason) {
        StringBuilder sb = new StringBuilder(input == null ? "<unnamed>" : input);
        if (offset != UNKNOWN) {
            sb.append(" at offset ").append(offset);
        }
        if (inode != UNKNOWN) {
            sb.append(" (inode ").append(inode).append(')');
        }
        return sb.append(": ").append(reason).toString();
    }

    /** Name of the bootstrap or blob (file name, or a descriptive label for in-memory bytes). */
    public String input() {
        return input;
    }

    /** Byte offset within {@link #input()}, or {@link #UNKNOWN}. */
    public long offset() {
        return offset;
    }

    /** Inode handle (v6 nid, v5 inode-table index) involved, or {@link #UNKNOWN}. */
    public long inode() {
        return inode;
    }
}

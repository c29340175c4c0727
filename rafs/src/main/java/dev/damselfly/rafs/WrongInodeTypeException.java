package dev.damselfly.rafs;

/** An operation asked of an inode of the wrong type (readDir on a file, readLink on a directory, ...). */
public final class WrongInodeTypeException extends RafsException {
    private static final long serialVersionUID = 1L;
    private final long handle;
    private final FileType actual;

    public WrongInodeTypeException(long handle, FileType actual, String operation) {
        super(operation + " on inode " + handle + " of type " + actual);
        this.handle = handle;
        this.actual = actual;
    }

    public long handle() {
        return handle;
    }

    public FileType actual() {
        return actual;
    }
}

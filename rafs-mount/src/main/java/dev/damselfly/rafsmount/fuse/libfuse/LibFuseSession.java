package dev.damselfly.rafsmount.fuse.libfuse;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.PointerByReference;
import jnr.ffi.types.size_t;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The parts of libfuse 2.9's exported API ({@code libfuse.so.2}) that let Java threads run the request loop
 * themselves: {@code fuse_setup} mounts and creates the high-level {@code struct fuse} (what {@code fuse_main}
 * does before its loop), each worker then receives a request with {@code fuse_chan_recv} and dispatches it
 * with {@code fuse_session_process}, so every filesystem callback runs on a thread the JVM already knows, and
 * {@code fuse_teardown} unmounts and frees what {@code fuse_setup} made (what {@code fuse_main} does after its
 * loop). Pointers are opaque libfuse handles. Public only because jnr-ffi implements it in its own class loader;
 * nothing outside this package uses it.
 */
public interface LibFuseSession {

    /** Loads libfuse 2 the way jnr-fuse does ({@code fuse}, then {@code libfuse.so.2}), so both use one library. */
    static LibFuseSession load() {
        try {
            return LibraryLoader.create(LibFuseSession.class).failImmediately().load("fuse");
        } catch (LinkageError | RuntimeException e) {
            return LibraryLoader.create(LibFuseSession.class).failImmediately().load("libfuse.so.2");
        }
    }

    /**
     * Parses {@code argv} as {@code fuse_main} does, mounts, creates the filesystem and its session; null on
     * failure (libfuse prints the reason on stderr). {@code mountpoint} receives a malloc'ed path that
     * {@link #fuse_teardown} frees.
     */
    Pointer fuse_setup(int argc, String[] argv, FuseOperations op, @size_t long opSize, PointerByReference mountpoint,
                       IntByReference multithreaded, Pointer userData);

    /** Unmounts (unless already unmounted), destroys the filesystem and frees {@code mountpoint}. */
    void fuse_teardown(Pointer fuse, Pointer mountpoint);

    @IgnoreError
    Pointer fuse_get_session(Pointer fuse);

    /** The session's channel after {@code ch} (null: the first). */
    @IgnoreError
    Pointer fuse_session_next_chan(Pointer session, Pointer ch);

    /** Bytes a receive buffer of {@code ch} must hold. */
    @IgnoreError
    @size_t
    long fuse_chan_bufsize(Pointer ch);

    /**
     * Reads one request into {@code buf}: its length, 0 when the session has ended (the kernel answered
     * {@code ENODEV}: unmounted), or a negated errno ({@code EINTR}, {@code EAGAIN}: try again).
     *
     * @param chp address of a {@code struct fuse_chan *} (libfuse may replace it)
     */
    @IgnoreError
    int fuse_chan_recv(Pointer chp, Pointer buf, @size_t long size);

    /** Dispatches one received request: runs the filesystem callback and writes the reply. */
    @IgnoreError
    void fuse_session_process(Pointer session, Pointer buf, @size_t long len, Pointer ch);

    /** Marks the session ended: every worker leaves its loop at its next receive. */
    @IgnoreError
    void fuse_session_exit(Pointer session);
}

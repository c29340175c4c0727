package dev.damselfly.rafsmount.fuse.kernel;

import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/** The C library calls the FUSE device needs (glibc, bound by jnr-ffi; errno is saved after each call). */
public interface LibC {
    int open(String path, int flags);

    @ssize_t long read(int fd, Pointer buffer, @size_t long count);

    @ssize_t long write(int fd, Pointer buffer, @size_t long count);

    int close(int fd);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    /** {@code syscall(io_uring_setup, entries, params)}. */
    long syscall(long number, int entries, Pointer params);

    /** {@code syscall(io_uring_enter, fd, to_submit, min_complete, flags, sigset, sigset_size)}. */
    long syscall(long number, int fd, int toSubmit, int minComplete, int flags, Pointer sigset, long sigsetSize);

    long mmap(Pointer address, @size_t long length, int protection, int flags, int fd, long offset);

    int munmap(long address, @size_t long length);
}

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
}

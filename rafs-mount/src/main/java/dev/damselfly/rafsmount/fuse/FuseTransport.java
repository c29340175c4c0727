package dev.damselfly.rafsmount.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How a mount talks to the kernel's FUSE driver. */
public enum FuseTransport {
    /**
     * Damselfly's own implementation of the kernel protocol on {@code /dev/fuse}, mounted with {@code mount(2)}:
     * inode-based requests, 1 MiB reads, directory listings with attributes, no OPEN round trips. Needs
     * CAP_SYS_ADMIN (root, or a privileged container, as a node agent runs).
     */
    KERNEL,
    /**
     * {@link #KERNEL}, with requests through FUSE-over-io_uring rings (a ring entry per CPU queue, one system call per
     * request) once INIT has agreed to them: Linux 6.14 or later built with {@code CONFIG_FUSE_IO_URING} and the fuse
     * module's {@code enable_uring} parameter on. Where the kernel does not offer them, requests stay on
     * {@code /dev/fuse}. On 2 CPUs up to a fifth faster on a fresh mount's first walk and no faster after that (BENCHMARKS.md), so not
     * the default.
     */
    KERNEL_URING,
    /** libfuse 2.9's high-level path API through jnr-fuse, mounted by the setuid {@code fusermount}: any user. */
    LIBFUSE,
    /** {@link #KERNEL} when this process runs as root, else {@link #LIBFUSE}. The default. */
    AUTO;

    /** {@link #AUTO} resolved for this process; any other value as it is. */
    public FuseTransport resolve() {
        if (this != AUTO) {
            return this;
        }
        return effectiveUid() == 0 ? KERNEL : LIBFUSE;
    }

    /** This process's effective uid (the owner of {@code /proc/self}), or -1 when unknown. */
    static long effectiveUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}

/**
 * Damselfly's own implementation of the Linux FUSE kernel protocol, without libfuse: {@code /dev/fuse} and
 * {@code mount(2)} through jnr-ffi ({@link dev.damselfly.rafsmount.fuse.kernel.DevFuse}), the request loop
 * ({@link dev.damselfly.rafsmount.fuse.kernel.KernelWorkers}), the read-only answers by inode
 * ({@link dev.damselfly.rafsmount.fuse.kernel.RafsRequests}), the live mount
 * ({@link dev.damselfly.rafsmount.fuse.kernel.KernelMount}) and its unmount-on-death watchdog; optionally FUSE over
 * io_uring: a ring per worker ({@link dev.damselfly.rafsmount.fuse.kernel.IoUring}) with one ring entry of a CPU
 * queue ({@link dev.damselfly.rafsmount.fuse.kernel.UringWorkers}, {@link dev.damselfly.rafsmount.fuse.kernel.UringQueues}).
 * Used when the process may mount (CAP_SYS_ADMIN).
 */
package dev.damselfly.rafsmount.fuse.kernel;

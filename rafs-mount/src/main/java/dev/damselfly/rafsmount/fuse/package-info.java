/**
 * The FUSE side of a mount, as the rest of the module sees it: a live mount ({@link
 * dev.damselfly.rafsmount.fuse.FuseSession}), its settings ({@link dev.damselfly.rafsmount.fuse.FuseConfig}) and
 * how it talks to the kernel ({@link dev.damselfly.rafsmount.fuse.FuseTransport}: Damselfly's own protocol
 * implementation in {@code fuse.kernel}, or libfuse through jnr-fuse in {@code fuse.libfuse}), what both report
 * for an inode ({@link dev.damselfly.rafsmount.fuse.InodeView}), and what both run on: the growing pool of request
 * threads ({@link dev.damselfly.rafsmount.fuse.FuseWorkerPool}) and the wait for its end after an unmount
 * ({@link dev.damselfly.rafsmount.fuse.LoopExit}).
 */
package dev.damselfly.rafsmount.fuse;

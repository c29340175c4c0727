/**
 * The FUSE side of a mount, as the rest of the module sees it: a live mount ({@link
 * dev.damselfly.rafsmount.fuse.FuseSession}), its settings ({@link dev.damselfly.rafsmount.fuse.FuseConfig}) and
 * how it talks to the kernel ({@link dev.damselfly.rafsmount.fuse.FuseTransport}: Damselfly's own protocol
 * implementation in {@code fuse.kernel}, or libfuse through jnr-fuse in {@code fuse.libfuse}), and what both report
 * for an inode ({@link dev.damselfly.rafsmount.fuse.InodeView}).
 */
package dev.damselfly.rafsmount.fuse;

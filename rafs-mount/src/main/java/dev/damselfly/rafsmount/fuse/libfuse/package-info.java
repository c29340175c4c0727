/**
 * The only package that knows jnr-fuse (libfuse2, high-level path API), used by mounts that cannot call
 * {@code mount(2)} themselves (not root): the read-only filesystem callbacks
 * ({@link dev.damselfly.rafsmount.fuse.libfuse.RafsFuseFs}), the mount that sets libfuse up, runs its request loop
 * and unmounts it ({@link dev.damselfly.rafsmount.fuse.libfuse.LibFuseMount}), and the loop itself on Java threads
 * that stay attached to the JVM ({@link dev.damselfly.rafsmount.fuse.libfuse.FuseWorkers} over
 * {@link dev.damselfly.rafsmount.fuse.libfuse.LibFuseSession}, libfuse 2.9's session API).
 */
package dev.damselfly.rafsmount.fuse.libfuse;

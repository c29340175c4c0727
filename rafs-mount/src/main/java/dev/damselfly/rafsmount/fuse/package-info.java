/**
 * The only package that knows jnr-fuse (libfuse2, high-level path API): the read-only filesystem callbacks
 * ({@link dev.damselfly.rafsmount.fuse.RafsFuseFs}), the mount session that sets libfuse up, runs its request
 * loop and unmounts it ({@link dev.damselfly.rafsmount.fuse.FuseSession}), and the loop itself on Java threads
 * that stay attached to the JVM ({@link dev.damselfly.rafsmount.fuse.FuseWorkers} over
 * {@link dev.damselfly.rafsmount.fuse.LibFuseSession}, libfuse 2.9's session API).
 */
package dev.damselfly.rafsmount.fuse;

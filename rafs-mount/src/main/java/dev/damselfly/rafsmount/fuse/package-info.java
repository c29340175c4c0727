/**
 * The only package that knows jnr-fuse (libfuse2, high-level path API): the read-only filesystem callbacks
 * ({@link dev.damselfly.rafsmount.fuse.RafsFuseFs}) and the mount session that runs libfuse's multi-threaded
 * loop on its own thread and unmounts it ({@link dev.damselfly.rafsmount.fuse.FuseSession}).
 */
package dev.damselfly.rafsmount.fuse;

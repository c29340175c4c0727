package dev.damselfly.rafsmount.fuse;

/**
 * libfuse settings of one mount.
 *
 * @param timeoutSeconds entry, attribute and negative-lookup cache timeouts given to the kernel, seconds (the
 *                       image never changes, so nydusd uses effectively infinite ones)
 * @param allowOther     let users other than the mounting one access the mount (libfuse {@code allow_other})
 * @param debug          libfuse debug output on stderr ({@code -d})
 */
public record FuseConfig(long timeoutSeconds, boolean allowOther, boolean debug) {
}

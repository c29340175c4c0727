/**
 * A real Debian root filesystem as test data: {@link dev.damselfly.testkit.debian.DebianRootfs} runs
 * {@code debootstrap --variant=minbase} once per machine and keeps the tree in a shared on-disk cache
 * ({@link dev.damselfly.testkit.debian.DiskCache}: built aside, renamed into place, one builder at a time
 * across JVMs); {@link dev.damselfly.testkit.debian.DebianImage} turns that tree into a one-layer OCI image
 * with {@code umoci} (cached the same way) and pushes it with skopeo;
 * {@link dev.damselfly.testkit.debian.TreeListing} describes any directory tree (type, mode, owner, size,
 * link target, hard-link group, device numbers, xattrs, content SHA-256) so a mounted or unpacked copy can
 * be compared with the source entry by entry.
 *
 * <p>Needs root and the Debian packages {@code debootstrap}, {@code umoci}, {@code skopeo}, {@code attr}
 * (getfattr) and network access to a Debian mirror the first time.
 */
package dev.damselfly.testkit.debian;

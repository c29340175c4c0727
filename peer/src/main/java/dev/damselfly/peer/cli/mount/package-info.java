/** {@code damselfly mount} and {@code damselfly umount}: the lazy FUSE mount of a RAFS image, run in the foreground. */
package dev.damselfly.peer.cli.mount;

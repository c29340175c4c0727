/**
 * RAFS v6 bootstraps (§1): the EROFS superblock, the nydus extended superblock, device slots, blob table,
 * prefetch table, compact and extended inodes, flat-plain / flat-inline / chunk-based layouts, directories,
 * inline (and EROFS shared) xattrs. Also reads plain EROFS chunked images from mkfs.erofs (§8), whose data
 * is raw at {@code blkaddr × block size} of the blob device.
 */
package dev.damselfly.rafs.v6;

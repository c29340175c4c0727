/**
 * RAFS v5 bootstraps, read-only (§2): the 8 KiB superblock, inode table, blob and extended blob tables,
 * prefetch table and 128-byte inode records carrying names, symlink targets, xattrs and 80-byte chunk records.
 */
package dev.damselfly.rafs.v5;

/**
 * Reading OCI layer tars for the builder: compression detection (plain, gzip, zstd), one normalised
 * {@link dev.damselfly.rafs.tar.LayerTarEntry} per tar entry (PAX and GNU long names, {@code SCHILY.xattr.*}
 * extended attributes), and typed errors for entries a layer must not contain ({@code ..} or absolute paths,
 * unsupported entry types).
 */
package dev.damselfly.rafs.tar;

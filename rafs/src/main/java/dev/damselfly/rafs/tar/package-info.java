/**
 * Reading OCI layer tars for the builder: compression detection (plain, gzip, zstd), one normalised
 * {@link dev.damselfly.rafs.tar.LayerTarEntry} per tar entry (PAX and GNU long names, {@code SCHILY.xattr.*} and
 * {@code LIBARCHIVE.xattr.*} extended attributes), and typed errors for entries a layer must not contain ({@code ..}
 * or absolute paths, unsupported entry types). Extended attribute values keep their exact bytes: the tar library
 * decodes PAX values as UTF-8, so the raw header chain of each entry is captured under it and its PAX records are
 * parsed again ({@code HeaderCaptureStream}, {@code PaxHeaderChain}, {@code PaxXattrs}).
 */
package dev.damselfly.rafs.tar;

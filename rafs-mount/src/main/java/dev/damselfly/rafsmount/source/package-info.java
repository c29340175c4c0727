/**
 * The {@link dev.damselfly.rafsmount.source.BlobSource} seam: where the mount gets the stored bytes of a
 * blob, by blob id and byte range. The mount knows only this interface; {@code peer/} plugs in the P2P and
 * registry implementations. {@link dev.damselfly.rafsmount.source.FileBlobSource} reads a local directory of
 * blobs named by blob id (nydusd's {@code localfs} backend).
 */
package dev.damselfly.rafsmount.source;

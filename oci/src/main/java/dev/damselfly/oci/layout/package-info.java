/**
 * OCI image layout directories ({@code oci-layout}, {@code index.json}, {@code blobs/ALG/HEX}): read
 * and write images on disk, as {@code skopeo}, {@code umoci} and {@code buildkit} do. Blobs are written
 * to a temporary file, verified against their digest, then moved into place, so a layout never holds
 * a blob whose name lies.
 */
package dev.damselfly.oci.layout;

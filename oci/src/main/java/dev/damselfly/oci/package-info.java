/**
 * The OCI image model every other module shares: image references ({@link dev.damselfly.oci.ImageReference}),
 * content digests ({@link dev.damselfly.oci.Digest}), media types, descriptors, manifests, indexes and
 * platform selection, plus the typed errors of the registry client.
 *
 * <p>Manifests are kept as the exact bytes the registry served ({@link dev.damselfly.oci.ManifestDocument}):
 * digests are computed over those bytes and pushes send them unchanged, never a re-serialisation.
 * The registry client lives in {@code dev.damselfly.oci.registry}, authentication in
 * {@code dev.damselfly.oci.auth} and OCI image layout directories in {@code dev.damselfly.oci.layout}.
 */
package dev.damselfly.oci;

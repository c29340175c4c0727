/**
 * Copying images between registries and OCI layout directories: an {@link dev.damselfly.oci.copy.ImageSource}
 * and an {@link dev.damselfly.oci.copy.ImageDestination} per mechanism, and the
 * {@link dev.damselfly.oci.copy.ImageCopier} that streams blobs (verified, never whole in memory), skips
 * blobs the destination has, mounts across repositories of one registry, and writes manifests last.
 */
package dev.damselfly.oci.copy;

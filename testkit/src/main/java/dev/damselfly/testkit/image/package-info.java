/**
 * Deterministic test images: pseudo-random byte streams ({@link dev.damselfly.testkit.image.DeterministicBytes}),
 * tar layers with every entry type ({@link dev.damselfly.testkit.image.LayerTarBuilder},
 * {@link dev.damselfly.testkit.image.TestTrees}) and complete OCI image layouts
 * ({@link dev.damselfly.testkit.image.TestImageGenerator}). Same seed and settings give
 * byte-identical output on the same JDK (gzip output depends on the JDK's zlib). Uses only Jackson,
 * Commons Compress and {@link java.security.MessageDigest}; independent of the project's oci module.
 */
package dev.damselfly.testkit.image;

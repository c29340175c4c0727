/**
 * Runs the real {@code skopeo} CLI (Debian package {@code skopeo}) as an independent client: push
 * a generated OCI layout into a test registry, inspect what arrived. Each run gets its own
 * temporary HOME, so no credentials or blob-info cache leak between tests.
 */
package dev.damselfly.testkit.skopeo;

/**
 * {@code damselfly image}: {@code inspect} (manifest, index, config and layers of an image in a registry
 * or an OCI layout directory, as text, JSON or raw bytes) and {@code copy} (between registries and
 * layout directories, with progress). {@link dev.damselfly.peer.cli.image.ImageInspection} gathers what
 * inspect shows; {@link dev.damselfly.peer.cli.image.InspectionText} and
 * {@link dev.damselfly.peer.cli.image.InspectionJson} render it.
 */
package dev.damselfly.peer.cli.image;

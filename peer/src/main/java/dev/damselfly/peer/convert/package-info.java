/**
 * OCI → Nydus image conversion: every layer streamed from the source registry through the RAFS layer builder,
 * the layer bootstraps merged, and a Nydus image pushed with the media types and annotations of the Nydus
 * spec §4 (blob layers, a gzip bootstrap layer holding {@code image/image.boot}, config diff_ids and history).
 * One platform, or every platform of an index into an index of Nydus manifests (layers shared by platforms are
 * built and pushed once).
 */
package dev.damselfly.peer.convert;

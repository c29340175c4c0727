/**
 * OCI → Nydus image conversion: every layer streamed from the source registry through the RAFS layer builder,
 * the layer bootstraps merged, and a Nydus image pushed with the media types and annotations of the Nydus
 * spec §4 (blob layers, a gzip bootstrap layer holding {@code image/image.boot}, config diff_ids and history).
 */
package dev.damselfly.peer.convert;

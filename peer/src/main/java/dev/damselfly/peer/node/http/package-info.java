/**
 * The node's small HTTP faces on the JDK's built-in server: health ({@code GET /healthy}), Prometheus
 * ({@code GET /metrics}) and the admin API ({@code /api/v1/…}). One class per endpoint; {@link
 * dev.damselfly.peer.node.http.HttpEndpoints} binds them.
 */
package dev.damselfly.peer.node.http;

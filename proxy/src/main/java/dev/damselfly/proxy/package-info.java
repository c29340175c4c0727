/**
 * The node's HTTP face toward containerd, docker and nydusd: a registry mirror (origin-form requests,
 * upstream named by {@code X-Dragonfly-Registry} or containerd's {@code ns=} parameter), a forward proxy
 * (absolute-form requests, as nydusd's {@code proxy.url} sends them) and {@code CONNECT} tunnels passed
 * through untouched. Only the registries in {@link dev.damselfly.proxy.ProxyConfig} are reachable:
 * anything else gets 403, so the node is never an open proxy.
 *
 * <p>Netty runs everything ({@link dev.damselfly.proxy.ProxyServer}): each client connection and its upstream
 * connections share one event loop; idle keep-alive upstream connections are pooled per event loop and registry
 * ({@link dev.damselfly.proxy.UpstreamPool}) and reused by any client connection of that loop; response buffers
 * are relayed as they arrive, without copies, the upstream read pausing while the client's socket is full.
 * Uploads (PUT, POST, PATCH, DELETE, OPTIONS: blob pushes, manifest pushes, deletes) pass straight through in
 * both modes with their bodies streamed chunk by chunk (Content-Length or chunked, never aggregated), paced by
 * the writability of the other side, {@code Expect: 100-continue} relayed to the registry; the allowlist is
 * applied before any byte goes upstream. Other methods (TRACE, unknown ones) get 405.
 *
 * <p>With a {@link dev.damselfly.proxy.p2p.BlobFetcher} configured, blob GETs that match the rules take the
 * P2P path instead: the origin first confirms with a {@code HEAD} carrying the client's own credentials that
 * this client may read this blob (answers cached briefly, keyed by a hash of the credential), then the
 * fetcher's stream is read on a small fetch executor and written to the client as the socket takes it.
 * Everything else (HEAD, manifests, tokens, uploads, unmatched URLs) passes through as before.
 *
 * <p>Optional extras: {@code CONNECT}s to registries listed for interception are terminated by the proxy with a
 * certificate of its own CA ({@link dev.damselfly.proxy.HttpsInterceptor}, CA and leaf certificates in
 * {@link dev.damselfly.proxy.intercept}) and their requests served like forward-proxy ones, so their blobs can go
 * P2P too; a per-client request-rate limit answers 429 with {@code Retry-After}; in mirror mode, upload
 * {@code Location}s naming the registry are made proxy-relative (with {@code ns=}) so pushes stay on the mirror.
 */
package dev.damselfly.proxy;

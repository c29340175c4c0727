/**
 * The seam between the proxy and the node's download engine: {@link dev.damselfly.proxy.p2p.BlobFetcher}
 * serves the blob GETs the proxy's rules send peer-to-peer (local piece store, then parent peers, then the
 * registry). The proxy owns HTTP (routing, the origin authorization check, Range resolution, response
 * headers, streaming with backpressure); the fetcher owns task ids, pieces and peers. This package holds
 * only what a fetcher sees: the request ({@link dev.damselfly.proxy.p2p.BlobRequest} with the parsed
 * Dragonfly headers, {@link dev.damselfly.proxy.p2p.DragonflyHeaders}) and the answer
 * ({@link dev.damselfly.proxy.p2p.BlobFetch}). Nothing here depends on Netty.
 */
package dev.damselfly.proxy.p2p;

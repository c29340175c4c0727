/**
 * The node's HTTP face toward containerd, docker and nydusd: a registry mirror (origin-form requests,
 * upstream named by {@code X-Dragonfly-Registry} or containerd's {@code ns=} parameter), a forward proxy
 * (absolute-form requests, as nydusd's {@code proxy.url} sends them) and {@code CONNECT} tunnels passed
 * through untouched. Only the registries in {@link dev.damselfly.proxy.ProxyConfig} are reachable:
 * anything else gets 403, so the node is never an open proxy.
 *
 * <p>Netty runs everything ({@link dev.damselfly.proxy.ProxyServer}): each client connection and its upstream
 * connection share one event loop, and response buffers are relayed as they arrive, one in flight.
 */
package dev.damselfly.proxy;

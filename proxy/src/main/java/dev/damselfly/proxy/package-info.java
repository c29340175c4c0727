/**
 * The node's HTTP face toward containerd, docker and nydusd: a registry mirror (origin-form requests,
 * upstream named by {@code X-Dragonfly-Registry} or containerd's {@code ns=} parameter), a forward proxy
 * (absolute-form requests, as nydusd's {@code proxy.url} sends them) and {@code CONNECT} tunnels passed
 * through untouched. Only the registries in {@link dev.damselfly.proxy.ProxyConfig} are reachable:
 * anything else gets 403, so the node is never an open proxy.
 *
 * <p>Netty runs the connections ({@link dev.damselfly.proxy.ProxyServer}); upstream exchanges are blocking
 * and run on a worker pool, streaming bodies back with bounded buffering.
 */
package dev.damselfly.proxy;

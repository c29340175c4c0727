/**
 * HTTPS interception for the proxy's {@code CONNECT} tunnels to chosen registries (Dragonfly's
 * {@code hijackHTTPS}): the certificate authority the proxy signs with (the operator's, or one generated on
 * first start and kept in a directory so operators can distribute its certificate), and the per-host leaf
 * certificates and server TLS contexts issued from it. Nothing here touches sockets; the proxy package wires
 * the TLS contexts into a tunnel's pipeline.
 */
package dev.damselfly.proxy.intercept;

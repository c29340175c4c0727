/**
 * Lazy Nydus mounts hosted by the node itself, in process, like nydusd's shared daemon: {@code POST /api/v1/mounts}
 * on the admin listener mounts an image (chunks through the node's own engine and store, then the registry),
 * {@code GET} lists the mounts, {@code DELETE ?mountpoint=} unmounts one, and the node unmounts every mount it owns
 * when it stops. Anyone who can reach the admin API can mount and unmount as the node's user (root in a
 * DaemonSet): it listens on 127.0.0.1 by default, and only JSON requests are accepted, which a web page cannot send
 * cross-origin without a CORS preflight the node never grants.
 */
package dev.damselfly.peer.node.mounts;

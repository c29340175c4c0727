package dev.damselfly.exchange.engine;

/**
 * Where a piece's bytes came from, as Dragonfly's TrafficType and the {@code type} label of
 * {@code dragonfly_client_download_traffic} (spec §6).
 */
public enum PieceSource {
    /** Read from the origin (registry or URL). */
    BACK_TO_SOURCE,
    /** Downloaded from a parent peer. */
    REMOTE_PEER,
    /** Already in this node's own piece store. */
    LOCAL_PEER
}

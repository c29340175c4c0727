package dev.damselfly.exchange.vortex;

/**
 * A request the server could not parse; answered with an {@code Error} packet, code INVALID_ARGUMENT.
 *
 * @param packetId the packet id of the bad request (echoed)
 * @param reason   what was wrong, for the error message and the log
 */
public record InvalidRequest(byte packetId, String reason) {
}

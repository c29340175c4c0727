/**
 * Peer-to-peer piece exchange. The root package holds the small contracts between the two halves:
 * <ul>
 *   <li>{@code vortex} and {@code upload}: the wire. The Vortex TCP piece protocol (spec dragonfly.md §2.5)
 *       serving piece bodies zero-copy from the piece store, and the DfdaemonUpload gRPC service
 *       (SyncPieces, SyncHost, StatTask, DeleteTask, health; §2.1-§2.4) telling children which pieces
 *       this node has. Clients of both: {@link PieceTransfer}, {@link PieceAvailability} and {@link ParentLoad}
 *       (a parent host's upload load, {@link ParentBandwidth}).</li>
 *   <li>{@code engine}: the per-task download engine: parents from the scheduler, pieces in parallel,
 *       back-to-source through an {@link Origin}, verification, reporting, rate limits, range downloads.</li>
 * </ul>
 * Nothing here trusts a peer's bytes: every piece is checked against its CRC-32 before it is stored.
 */
package dev.damselfly.exchange;

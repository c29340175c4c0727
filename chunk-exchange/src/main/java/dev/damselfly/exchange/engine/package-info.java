/**
 * The download engine of a node (spec dragonfly.md §1.12, §2.4, §3.7): one {@link
 * dev.damselfly.exchange.engine.DownloadEngine} per node drives, for every task being downloaded, the
 * scheduler session, the SyncPieces subscriptions to candidate parents, piece transfers with a bounded
 * number in flight, and back-to-source Range reads through an {@link dev.damselfly.exchange.Origin}.
 *
 * <ul>
 *   <li>{@code DownloadEngine}: the facade; full downloads ({@code download}) and range downloads
 *       ({@code ensureRange}) of the same task share one node-wide {@code TaskRun}.</li>
 *   <li>{@code TaskRun}: one task's state machine on its own driver thread; {@code ParentSwarm} (which
 *       parent has which piece, the 100 ms hold), {@code ParentWeight} with {@code WeightedChoice} (each piece goes to a
 *       parent picked in proportion to its free upload bandwidth from SyncHost, through a {@link
 *       dev.damselfly.exchange.ParentLoad}), {@code PieceBook} (stored, wanted, in
 *       flight, per-piece futures) and {@code SessionReporter} (the AnnouncePeer reports) are its parts.</li>
 *   <li>Origins: {@code RegistryBlobOrigin} (an image blob through the oci registry client) and
 *       {@code HttpRangeOrigin} (any http/https URL).</li>
 * </ul>
 * Bytes from parents are checked against the CRC-32 the parent sent (by the {@link
 * dev.damselfly.exchange.PieceTransfer}); origin bytes against the whole-content SHA-256 when the request
 * carries one.
 */
package dev.damselfly.exchange.engine;

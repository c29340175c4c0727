/**
 * The DfdaemonUpload gRPC side of piece exchange (spec dragonfly.md §2.1–§2.4), both ends.
 *
 * <p>Parent side: {@link dev.damselfly.exchange.upload.UploadServer} runs the DfdaemonUpload gRPC service
 * ({@link dev.damselfly.exchange.upload.DfdaemonUploadService}: SyncPieces, SyncHost, StatTask, StatLocalTask,
 * DeleteTask; the rest answer UNIMPLEMENTED), {@code grpc.health.v1}, and the Vortex piece server of the
 * {@code vortex} package, from one {@link dev.damselfly.exchange.upload.UploadConfig}.
 * {@link dev.damselfly.exchange.upload.PieceNotifications} is the {@link dev.damselfly.exchange.PieceListener} the
 * download engine calls after each stored piece, so waiting SyncPieces streams announce it at once.
 *
 * <p>Child side: {@link dev.damselfly.exchange.upload.SyncPiecesClient} opens SyncPieces streams to parents and
 * forwards each announcement to a {@link dev.damselfly.exchange.PieceAvailability.Listener};
 * {@link dev.damselfly.exchange.upload.SyncHostClient} keeps one SyncHost stream per parent host (shared by the tasks
 * using it, optionally over the SyncPieces client's channels) with the parent's latest bandwidth figures, the
 * {@link dev.damselfly.exchange.ParentLoad} the download engine weighs parents by.
 */
package dev.damselfly.exchange.upload;

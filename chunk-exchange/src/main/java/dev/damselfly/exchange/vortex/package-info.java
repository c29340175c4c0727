/**
 * The Vortex TCP piece protocol (spec dragonfly.md §2.5), both ends, over Netty.
 *
 * <p>Wire: a 6-byte header (packet id u8, tag u8, value length u32, big-endian) and a value. A child sends one
 * {@code DownloadPiece} (tag 0: 64 ASCII hex task id + u32 piece number) per connection; the parent answers with
 * {@code PieceContent} (tag 1) whose header length covers only the metadata block, followed by exactly
 * {@code length} raw piece bytes, or with {@code Error} (tag 255: code u8, {@code ':'}, UTF-8 message), and closes.
 * {@link dev.damselfly.exchange.vortex.VortexCodec} holds the byte layout; the decoders turn a byte stream into
 * those messages.
 *
 * <p>{@link dev.damselfly.exchange.vortex.VortexPieceServer} serves stored pieces zero-copy from the piece store
 * under an upload rate limit and a cap on concurrent uploads; {@link dev.damselfly.exchange.vortex.VortexPieceClient}
 * downloads one piece and stores it only once its CRC-32 matches the digest the parent announced.
 */
package dev.damselfly.exchange.vortex;

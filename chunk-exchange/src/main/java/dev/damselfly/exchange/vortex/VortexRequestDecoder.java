package dev.damselfly.exchange.vortex;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Server side: turns the bytes of one connection into exactly one {@link DownloadPieceRequest} or one
 * {@link InvalidRequest} (one request per connection, spec §2.5); bytes after it are discarded. A {@code Close}
 * packet closes the connection. A malformed header is reported at once, without waiting for a value it
 * announces.
 */
public final class VortexRequestDecoder extends ByteToMessageDecoder {
    private boolean done;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < VortexCodec.HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        byte id = in.getByte(start);
        int tag = in.getUnsignedByte(start + 1);
        long length = in.getUnsignedInt(start + 2);
        if (tag == VortexCodec.TAG_CLOSE) {
            done = true;
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (tag != VortexCodec.TAG_DOWNLOAD_PIECE) {
            finish(in, out, new InvalidRequest(id, "unsupported request tag " + tag));
            return;
        }
        if (length != VortexCodec.DOWNLOAD_PIECE_LENGTH) {
            finish(in, out, new InvalidRequest(id, "DownloadPiece length must be " + VortexCodec.DOWNLOAD_PIECE_LENGTH
                    + ", was " + length));
            return;
        }
        if (in.readableBytes() < VortexCodec.HEADER_LENGTH + VortexCodec.DOWNLOAD_PIECE_LENGTH) {
            return;
        }
        in.skipBytes(VortexCodec.HEADER_LENGTH);
        ByteBuf value = in.readSlice(VortexCodec.DOWNLOAD_PIECE_LENGTH);
        Object request;
        try {
            request = VortexCodec.decodeDownloadPiece(id, value);
        } catch (VortexProtocolException e) {
            request = new InvalidRequest(id, e.getMessage());
        }
        finish(in, out, request);
    }

    private void finish(ByteBuf in, List<Object> out, Object message) {
        done = true;
        in.skipBytes(in.readableBytes());
        out.add(message);
    }
}

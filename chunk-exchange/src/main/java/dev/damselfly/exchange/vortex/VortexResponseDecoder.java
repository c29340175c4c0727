package dev.damselfly.exchange.vortex;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Client side: turns the reply on one connection into a {@link PieceMetadata} followed by the raw piece bytes as
 * {@link ByteBuf} slices (exactly {@link PieceMetadata#length()} bytes in all; the receiver releases each), or into
 * one {@link VortexError}. Anything else (unknown tag, impossible lengths) raises a {@link VortexProtocolException}
 * through the pipeline. Bytes after a complete reply are discarded.
 */
public final class VortexResponseDecoder extends ByteToMessageDecoder {
    private enum State { HEADER, BODY, DONE }

    private State state = State.HEADER;
    private long bodyRemaining;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEADER -> decodeHeader(in, out);
            case BODY -> decodeBody(in, out);
            case DONE -> in.skipBytes(in.readableBytes());
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void decodeHeader(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < VortexCodec.HEADER_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int tag = in.getUnsignedByte(start + 1);
        long length = in.getUnsignedInt(start + 2);
        int max;
        if (tag == VortexCodec.TAG_PIECE_CONTENT) {
            max = VortexCodec.MAX_METADATA_LENGTH;
        } else if (tag == VortexCodec.TAG_ERROR) {
            max = VortexCodec.MAX_ERROR_LENGTH;
        } else {
            state = State.DONE;
            throw new VortexProtocolException("unexpected reply tag " + tag + " (length " + length + ")");
        }
        if (length > max) {
            state = State.DONE;
            throw new VortexProtocolException("reply tag " + tag + " announces " + length + " bytes, more than the "
                    + max + " allowed");
        }
        if (in.readableBytes() < VortexCodec.HEADER_LENGTH + length) {
            return;
        }
        in.skipBytes(VortexCodec.HEADER_LENGTH);
        ByteBuf value = in.readSlice((int) length);
        if (tag == VortexCodec.TAG_ERROR) {
            state = State.DONE;
            out.add(VortexCodec.decodeError(value));
            return;
        }
        PieceMetadata metadata;
        try {
            metadata = VortexCodec.decodePieceMetadata(value);
        } catch (VortexProtocolException e) {
            state = State.DONE;
            throw e;
        }
        out.add(metadata);
        bodyRemaining = metadata.length();
        state = bodyRemaining == 0 ? State.DONE : State.BODY;
        decodeBody(in, out);
    }

    private void decodeBody(ByteBuf in, List<Object> out) {
        if (state != State.BODY) {
            return;
        }
        int n = (int) Math.min(in.readableBytes(), bodyRemaining);
        if (n == 0) {
            return;
        }
        out.add(in.readRetainedSlice(n));
        bodyRemaining -= n;
        if (bodyRemaining == 0) {
            state = State.DONE;
        }
    }
}

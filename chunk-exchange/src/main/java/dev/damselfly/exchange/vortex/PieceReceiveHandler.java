package dev.damselfly.exchange.vortex;

import dev.damselfly.exchange.PieceTransferException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * Per connection, child side: sends the DownloadPiece request, checks the reply's metadata against the piece the
 * store expects, gathers exactly {@code length} body bytes into one buffer leased from {@link PieceBodyBuffers} and
 * completes the future with it (the future's consumer then owns the lease and gives it back). Completes the future
 * exceptionally on an Error packet, a reply for another piece, an empty digest, a connection closed early or a socket
 * error.
 */
final class PieceReceiveHandler extends ChannelInboundHandlerAdapter {
    /** A complete piece body (in {@code lease.body()}) and the digest the parent announced for it. */
    record Received(PieceBodyBuffers.Lease lease, String digest) {
        ByteBuf body() {
            return lease.body();
        }
    }

    private final String parent;
    private final String taskId;
    private final int number;
    private final long offset;
    private final int length;
    private final CompletableFuture<Received> result;
    private final PieceBodyBuffers buffers;
    private String digest;
    private PieceBodyBuffers.Lease lease;
    private ByteBuf body;
    private boolean finished;

    PieceReceiveHandler(String parent, String taskId, int number, long offset, int length,
                        CompletableFuture<Received> result, PieceBodyBuffers buffers) {
        this.buffers = buffers;
        this.parent = parent;
        this.taskId = taskId;
        this.number = number;
        this.offset = offset;
        this.length = length;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        byte id = (byte) java.util.concurrent.ThreadLocalRandom.current().nextInt(256);
        ctx.writeAndFlush(VortexCodec.encodeDownloadPiece(ctx.alloc(), id, taskId, number)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, "cannot send the request: " + f.cause(), f.cause());
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (finished) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof PieceMetadata md) {
            onMetadata(ctx, md);
        } else if (msg instanceof ByteBuf chunk) {
            try {
                onBody(ctx, chunk);
            } finally {
                chunk.release();
            }
        } else if (msg instanceof VortexError error) {
            finish(ctx);
            result.completeExceptionally(new VortexErrorException(parent, taskId, number, error));
        } else {
            ReferenceCountUtil.release(msg);
            fail(ctx, "unexpected message " + msg.getClass().getSimpleName(), null);
        }
    }

    private void onMetadata(ChannelHandlerContext ctx, PieceMetadata md) {
        if (md.number() != number || md.offset() != offset || md.length() != length) {
            fail(ctx, "reply is for piece " + md.number() + " at " + md.offset() + "+" + md.length()
                    + ", expected piece " + number + " at " + offset + "+" + length, null);
            return;
        }
        if (md.digest().isEmpty()) {
            fail(ctx, "parent sent an empty piece digest; unverifiable bytes are refused", null);
            return;
        }
        digest = md.digest();
        lease = buffers.take(length);
        body = lease.body();
        if (length == 0) {
            complete(ctx);
        }
    }

    private void onBody(ChannelHandlerContext ctx, ByteBuf chunk) {
        if (body == null) {
            fail(ctx, "piece bytes arrived before the metadata", null);
            return;
        }
        if (chunk.readableBytes() > body.writableBytes()) {
            fail(ctx, "parent sent more than the " + length + " announced bytes", null);
            return;
        }
        body.writeBytes(chunk);
        if (body.writerIndex() == length) {
            complete(ctx);
        }
    }

    private void complete(ChannelHandlerContext ctx) {
        PieceBodyBuffers.Lease done = lease;
        lease = null;
        body = null;
        finish(ctx);
        if (!result.complete(new Received(done, digest))) {
            buffers.give(done); // the caller gave up (timeout) in the meantime
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!finished) {
            String got = body == null ? "before the piece metadata" : "after " + body.writerIndex() + " of " + length
                    + " bytes";
            fail(ctx, "connection closed " + got, null);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        fail(ctx, (body == null ? "" : "after " + body.writerIndex() + " of " + length + " bytes: ") + c, c);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseBody();
    }

    private void fail(ChannelHandlerContext ctx, String reason, Throwable cause) {
        if (finished) {
            return;
        }
        finish(ctx);
        result.completeExceptionally(new PieceTransferException(parent, taskId, number, reason, cause));
    }

    private void finish(ChannelHandlerContext ctx) {
        finished = true;
        releaseBody();
        ctx.close();
    }

    private void releaseBody() {
        if (lease != null) {
            buffers.give(lease);
            lease = null;
            body = null;
        }
    }
}

package dev.damselfly.exchange.vortex;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Per connection: hands the one decoded request to the {@link PieceUploader}; closes on errors and timeouts. */
final class PieceUploadHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(PieceUploadHandler.class);
    private final PieceUploader uploader;

    PieceUploadHandler(PieceUploader uploader) {
        this.uploader = uploader;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReadTimeoutHandler timeout = ctx.pipeline().get(ReadTimeoutHandler.class);
        if (timeout != null) {
            ctx.pipeline().remove(timeout);
        }
        if (msg instanceof DownloadPieceRequest r) {
            uploader.accept(ctx.channel(), r);
        } else if (msg instanceof InvalidRequest r) {
            uploader.reject(ctx.channel(), r);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            LOG.debug("piece request not received in time, closing: child={}", ctx.channel().remoteAddress());
        } else {
            LOG.debug("piece connection error: child={} error={}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}

package dev.damselfly.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Ends a client connection whose request body is still arriving, without losing the final response already
 * written to it: closing a socket with unread bytes would send a reset that can destroy that response. Once the
 * response is written the output is half-closed (FIN after the response), every further byte is discarded, and
 * the connection closes when the client closes its side or after {@link #DRAIN_MILLIS}.
 */
final class ConnectionDrain extends ChannelInboundHandlerAdapter {
    /** Longest time the rest of an unwanted request body is read and dropped: 5000 ms. */
    static final long DRAIN_MILLIS = 5_000;

    private ConnectionDrain() {
    }

    /** Drains then closes {@code channel} once {@code responseWritten} completes (closes at once if it failed). */
    static void closeAfter(Channel channel, ChannelFuture responseWritten) {
        responseWritten.addListener(done -> {
            if (!done.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
                channel.close();
                return;
            }
            if (channel.pipeline().get(ConnectionDrain.class) == null) {
                channel.pipeline().addFirst(new ConnectionDrain());
            }
            var timer = channel.eventLoop().schedule(() -> {
                channel.close();
            }, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
            channel.closeFuture().addListener(f -> timer.cancel(false));
            duplex.shutdownOutput();
            channel.config().setAutoRead(true);
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }
}

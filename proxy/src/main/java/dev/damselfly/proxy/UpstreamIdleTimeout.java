package dev.damselfly.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Fails an upstream connection on which nothing moved, neither read nor written (and no pending write drained),
 * for the configured time: a registry that stops answering, or stops taking an upload's body. Unlike a pure
 * read timeout it lets a long upload run, since the registry answers only after the whole body. Fires
 * {@link ReadTimeoutException} (the relay answers 504) and closes the channel.
 */
final class UpstreamIdleTimeout extends IdleStateHandler {
    private boolean fired;

    /** @param timeoutMillis idle time in milliseconds after which the connection fails */
    UpstreamIdleTimeout(long timeoutMillis) {
        super(true, 0, 0, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
        if (event.state() == IdleState.ALL_IDLE && !fired) {
            fired = true;
            ctx.fireExceptionCaught(ReadTimeoutException.INSTANCE);
            ctx.close();
        }
    }
}

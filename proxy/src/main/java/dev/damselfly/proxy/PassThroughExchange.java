package dev.damselfly.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GET or HEAD passed to the upstream registry with the client's own headers (its Authorization
 * included, never logged) and streamed back: status and headers as the origin sent them, the body in
 * {@value #CHUNK_BYTES}-byte chunks with at most {@value #CHUNKS_IN_FLIGHT} unwritten, so a slow client
 * slows the upstream read instead of filling memory. Runs on a worker thread, never on the event loop.
 */
final class PassThroughExchange {
    /** Body bytes per write: 64 KiB. */
    static final int CHUNK_BYTES = 64 * 1024;
    /** Writes not yet flushed to the client before the upstream read waits: 4 (256 KiB). */
    static final int CHUNKS_IN_FLIGHT = 4;
    private static final Logger LOG = LoggerFactory.getLogger(PassThroughExchange.class);

    private final CloseableHttpClient upstream;
    private final long writeTimeoutMillis;

    PassThroughExchange(CloseableHttpClient upstream, long writeTimeoutMillis) {
        this.upstream = upstream;
        this.writeTimeoutMillis = writeTimeoutMillis;
    }

    void run(ChannelHandlerContext ctx, FullHttpRequest request, UpstreamTarget target) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        HttpUriRequestBase outgoing = new HttpUriRequestBase(request.method().name(), target.uri());
        for (Map.Entry<String, String> header : request.headers()) {
            if (!HopByHopHeaders.isHopByHop(header.getKey()) && !header.getKey().equalsIgnoreCase(UpstreamResolver.REGISTRY_HEADER)) {
                outgoing.addHeader(header.getKey(), header.getValue());
            }
        }
        ClassicHttpResponse response;
        try {
            response = upstream.executeOpen(null, outgoing, null);
        } catch (SocketTimeoutException e) {
            LOG.warn("upstream {} timed out: {}", target.registry().name(), e.getMessage());
            Responses.error(ctx, 504, "upstream registry " + target.registry().name() + " did not answer in time", !keepAlive);
            return;
        } catch (IOException e) {
            LOG.warn("upstream {} failed: {}", target.registry().name(), e.toString());
            Responses.error(ctx, 502, "upstream registry " + target.registry().name() + " failed: " + e.getClass().getSimpleName(), !keepAlive);
            return;
        }
        try (response) {
            HttpResponse head0 = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.getCode()));
            for (Header header : response.getHeaders()) {
                if (!HopByHopHeaders.isHopByHop(header.getName())) {
                    head0.headers().add(header.getName(), header.getValue());
                }
            }
            if (response.getCode() >= 400) {
                head0.headers().set(Responses.ERROR_TYPE, "backend");
            }
            HttpEntity entity = response.getEntity();
            long length = entity == null ? 0 : entity.getContentLength();
            if (head) {
                Header declared = response.getFirstHeader("Content-Length");
                if (declared != null) {
                    head0.headers().set(HttpHeaderNames.CONTENT_LENGTH, declared.getValue());
                }
            } else if (length >= 0) {
                HttpUtil.setContentLength(head0, length);
            } else {
                HttpUtil.setTransferEncodingChunked(head0, true);
            }
            if (!keepAlive) {
                head0.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            ctx.write(head0);
            long sent = head || entity == null ? 0 : streamBody(ctx, entity.getContent());
            ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
            LOG.debug("{} {} -> {} {} bytes", request.method(), RedactedUri.of(target.uri()), response.getCode(), sent);
        } catch (ClientGoneException e) {
            LOG.debug("client left during {} {}: {}", request.method(), RedactedUri.of(target.uri()), e.getMessage());
            ctx.close();
        } catch (IOException e) {
            // Headers are out: the only honest signal left is to cut the connection, never a clean end.
            LOG.warn("upstream {} broke mid-body: {}", target.registry().name(), e.toString());
            ctx.close();
        }
    }

    private long streamBody(ChannelHandlerContext ctx, InputStream body) throws IOException, ClientGoneException {
        Deque<ChannelFuture> inFlight = new ArrayDeque<>();
        long sent = 0;
        byte[] buffer = new byte[CHUNK_BYTES];
        int n;
        while ((n = body.readNBytes(buffer, 0, buffer.length)) > 0) {
            if (!ctx.channel().isActive()) {
                throw new ClientGoneException("connection closed after " + sent + " bytes");
            }
            inFlight.addLast(ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buffer, 0, n))));
            sent += n;
            if (inFlight.size() >= CHUNKS_IN_FLIGHT) {
                await(inFlight.removeFirst(), sent);
            }
        }
        while (!inFlight.isEmpty()) {
            await(inFlight.removeFirst(), sent);
        }
        return sent;
    }

    private void await(ChannelFuture write, long sent) throws ClientGoneException {
        try {
            write.get(writeTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ClientGoneException("write failed after " + sent + " bytes: " + e.getCause());
        } catch (TimeoutException e) {
            throw new ClientGoneException("client read nothing for " + writeTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientGoneException("interrupted");
        }
    }

    /** The downstream client closed or stalled; the upstream response is abandoned. */
    static final class ClientGoneException extends Exception {
        private static final long serialVersionUID = 1L;

        ClientGoneException(String message) {
            super(message);
        }
    }
}

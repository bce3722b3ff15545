package org.daig.product.tests;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The load generator's downloads and uploads: HTTP/1.1 on Netty, at most {@code limit} requests in
 * flight, the rest queued in order. Each request in flight is a connection the coordinator holds open
 * beside every provider's MQTT connection; where the open-file limit cannot cover both for all
 * providers (this machine allows 20,000), the coordinator would refuse the uploads that find none
 * left. Connections are kept alive and reused, one request at a time each, as a provider's blob
 * client does.
 *
 * <p>Why not the JDK's HttpClient: at 10,000 providers its per-request work (a chain of futures on
 * an executor) took about a quarter of the whole machine, CPU the coordinator under test then lacked
 * (docs/measurements.md, "The load generator on Netty"). Netty parses the same HTTP with a fraction of that.
 */
final class HttpGate implements AutoCloseable {

    /** A response: its status and its whole body. */
    record Answer(int status, byte[] body) {
    }

    private static final AttributeKey<CompletableFuture<Answer>> PENDING = AttributeKey.valueOf("daig.load.pending");
    /** The largest body it reads: the load test's model parameters and deltas are a few KiB. */
    private static final int MOST_BYTES = 16 << 20;

    private final EventLoopGroup loop = new NioEventLoopGroup(2, new DefaultThreadFactory("load-http", true));
    private final Bootstrap bootstrap;
    private final Queue<Channel> idle = new ConcurrentLinkedQueue<>();
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    HttpGate(int limit) {
        this.limit = limit;
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.TCP_NODELAY, true).handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MOST_BYTES), new Answering());
                    }
                });
    }

    CompletableFuture<Answer> get(URI uri, String token, Duration timeout) {
        return send(uri, HttpMethod.GET, token, null, timeout);
    }

    CompletableFuture<Answer> put(URI uri, String token, byte[] body, Duration timeout) {
        return send(uri, HttpMethod.PUT, token, body, timeout);
    }

    private CompletableFuture<Answer> send(URI uri, HttpMethod method, String token, byte[] body, Duration timeout) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        waiting.add(() -> {
            answer.whenComplete((done, failure) -> {
                inFlight.decrementAndGet();
                startWaiting();
            });
            if (closed) {
                answer.completeExceptionally(new IOException("the load generator has stopped"));
                return;
            }
            Channel channel = idleChannel();
            if (channel != null) {
                write(channel, uri, method, token, body, timeout, answer);
                return;
            }
            bootstrap.connect(uri.getHost(), uri.getPort()).addListener((ChannelFuture connected) -> {
                if (connected.isSuccess()) {
                    write(connected.channel(), uri, method, token, body, timeout, answer);
                } else {
                    answer.completeExceptionally(connected.cause());
                }
            });
        });
        startWaiting();
        return answer;
    }

    /** A kept-alive connection the coordinator has not closed meanwhile, or null. */
    private Channel idleChannel() {
        for (Channel c; (c = idle.poll()) != null;) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    private static void write(Channel channel, URI uri, HttpMethod method, String token, byte[] body, Duration timeout,
            CompletableFuture<Answer> answer) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri.getRawPath(),
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, uri.getHost() + ":" + uri.getPort()).set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        if (body != null) {
            HttpUtil.setContentLength(request, body.length);
        }
        channel.attr(PENDING).set(answer);
        ScheduledFuture<?> timer = channel.eventLoop().schedule(() -> {
            if (answer.completeExceptionally(new TimeoutException(method + " " + uri + " not answered within " + timeout))) {
                channel.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        answer.whenComplete((done, failure) -> timer.cancel(false));
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                answer.completeExceptionally(written.cause());
                channel.close();
            }
        });
    }

    private void startWaiting() {
        while (!waiting.isEmpty()) {
            int n = inFlight.get();
            if (n >= limit) {
                return; // the next completion starts the next one
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            Runnable next = waiting.poll();
            if (next == null) {
                inFlight.decrementAndGet(); // taken by another thread meanwhile: look again
                continue;
            }
            next.run();
        }
    }

    /** Completes a connection's request with its response, and keeps the connection for the next one if the server does. */
    private final class Answering extends SimpleChannelInboundHandler<FullHttpResponse> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            CompletableFuture<Answer> pending = ctx.channel().attr(PENDING).getAndSet(null);
            Answer answer = new Answer(response.status().code(), ByteBufUtil.getBytes(response.content()));
            if (HttpUtil.isKeepAlive(response)) {
                idle.add(ctx.channel());
            } else {
                ctx.close();
            }
            if (pending != null) {
                pending.complete(answer);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx, new IOException("the coordinator closed the connection before it answered"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause);
            ctx.close();
        }

        private void fail(ChannelHandlerContext ctx, Throwable cause) {
            CompletableFuture<Answer> pending = ctx.channel().attr(PENDING).getAndSet(null);
            if (pending != null) {
                pending.completeExceptionally(cause);
            }
        }
    }

    @Override
    public void close() {
        closed = true; // requests still queued or started by a provider's last timer fail at once, without a connect
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    }
}

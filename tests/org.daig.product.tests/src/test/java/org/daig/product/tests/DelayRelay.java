package org.daig.product.tests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay that holds every byte for a fixed time in each direction: the latency of a long
 * link, which the kernel's {@code netem} would add if these machines had it. Bytes keep their
 * order; a full delay line (1 MiB) stops reading, so TCP's flow control still reaches the sender.
 * It measures, per connection, the round trip a client sees: from the first bytes it sent to the
 * first bytes of the answer (at least twice the delay plus the server's time).
 */
final class DelayRelay implements AutoCloseable {

    private static final byte[] END = new byte[0];
    private static final int CHUNK = 16 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Per connection, nanoseconds from the client's first bytes to the answer's first bytes. */
    final List<Long> roundTrips = new CopyOnWriteArrayList<>();
    final AtomicLong upBytes = new AtomicLong();
    final AtomicLong downBytes = new AtomicLong();
    final AtomicLong connections = new AtomicLong();

    /** Listens on {@code listen} and relays each connection to {@code target}, {@code delayMillis} each way. */
    DelayRelay(InetSocketAddress listen, InetSocketAddress target, long delayMillis) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        this.target = target;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        Thread accept = new Thread(this::accept, "relay-" + listen.getPort());
        accept.setDaemon(true);
        accept.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                sockets.add(client);
                sockets.add(upstream);
                try {
                    upstream.connect(target, 5000);
                } catch (IOException e) {
                    client.close();
                    upstream.close();
                    continue;
                }
                connections.incrementAndGet();
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                long[] firstSent = { 0 };
                pipe(client, upstream, upBytes, () -> {
                    if (firstSent[0] == 0) {
                        firstSent[0] = System.nanoTime();
                    }
                });
                boolean[] answered = { false };
                pipe(upstream, client, downBytes, () -> {
                    if (!answered[0] && firstSent[0] != 0) {
                        answered[0] = true;
                        roundTrips.add(System.nanoTime() - firstSent[0]);
                    }
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /**
     * One direction: a reader that stamps each chunk with the time it arrived, a writer that
     * delivers it the delay later. {@code mark} runs when a chunk arrives from the client (up), or
     * when one was delivered to the client (down).
     */
    private void pipe(Socket from, Socket to, AtomicLong counter, Runnable mark) {
        BlockingQueue<Object[]> line = new ArrayBlockingQueue<>(64);
        boolean up = counter == upBytes;
        Thread reader = new Thread(() -> {
            try {
                InputStream in = from.getInputStream(); // not closed here: that would close the socket both ways
                byte[] buffer = new byte[CHUNK];
                for (int n; (n = in.read(buffer)) > 0;) {
                    if (up) {
                        mark.run();
                    }
                    line.put(new Object[] { System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n) });
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            }
            try {
                line.put(new Object[] { System.nanoTime() + delayNanos, END });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "relay-read");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Object[] chunk = line.take();
                    long due = (long) chunk[0];
                    for (long wait; (wait = due - System.nanoTime()) > 0;) {
                        LockSupport.parkNanos(wait); // the link's latency
                    }
                    byte[] bytes = (byte[]) chunk[1];
                    if (bytes == END) {
                        to.shutdownOutput();
                        return;
                    }
                    out.write(bytes);
                    out.flush();
                    counter.addAndGet(bytes.length);
                    if (!up) {
                        mark.run();
                    }
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    /** The round trips measured so far, in milliseconds, sorted. */
    List<Double> roundTripMillis() {
        List<Double> millis = new ArrayList<>(roundTrips.stream().map(n -> n / 1e6).toList());
        millis.sort(null);
        return millis;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(DelayRelay::closeQuietly);
    }
}

package org.daig.experts.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.experts.dht.UdpTransport;

/**
 * The experts bench's slow network: a TCP relay that holds every chunk of bytes for a fixed time before
 * passing it on, in both directions, so a call through it costs twice that more (request and answer).
 * A connection whose target refuses, or that breaks on either side, is closed on the other side too,
 * so a killed expert host looks the same through the relay as without it.
 *
 * <pre>java -cp org.daig.experts.jar org.daig.experts.bench.DelayRelay DELAY_MS LISTEN_PORT=TARGET_HOST:PORT ...</pre>
 */
public final class DelayRelay {

    private static final byte[] END = new byte[0];

    private record Chunk(long due, byte[] bytes) {
    }

    private DelayRelay() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: DelayRelay DELAY_MS LISTEN_PORT=TARGET_HOST:PORT ...");
        }
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[0]));
        for (String route : Arrays.copyOfRange(args, 1, args.length)) {
            int eq = route.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("relay route '" + route + "' is not LISTEN_PORT=HOST:PORT");
            }
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(route.substring(0, eq))));
            InetSocketAddress target = UdpTransport.parse(route.substring(eq + 1));
            Thread t = new Thread(() -> accept(server, target, delayNanos), "relay-" + route);
            t.start();
        }
        System.out.println("delay relay ready: " + args[0] + " ms each way on " + (args.length - 1) + " routes");
    }

    private static void accept(ServerSocket server, InetSocketAddress target, long delayNanos) {
        while (true) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return;
            }
            Socket out = new Socket();
            try {
                in.setTcpNoDelay(true);
                out.connect(target, 2_000);
                out.setTcpNoDelay(true);
                pipe(in, out, delayNanos);
                pipe(out, in, delayNanos);
            } catch (IOException e) {
                close(in);
                close(out);
            }
        }
    }

    /** Copies from a to b, each chunk held back until delay after it was read. */
    private static void pipe(Socket a, Socket b, long delayNanos) throws IOException {
        InputStream from = a.getInputStream();
        OutputStream to = b.getOutputStream();
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[64 << 10];
            try {
                for (int n; (n = from.read(buf)) >= 0;) {
                    queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // the connection broke: pass on the end
            }
            queue.add(new Chunk(System.nanoTime() + delayNanos, END));
        });
        Thread writer = new Thread(() -> {
            try {
                while (true) {
                    Chunk c = queue.take();
                    long wait = c.due() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait); // the delay itself, the point of this relay
                    }
                    if (c.bytes() == END) {
                        break;
                    }
                    to.write(c.bytes());
                    to.flush();
                }
            } catch (IOException | InterruptedException e) {
                // fall through and close both sides
            }
            close(a);
            close(b);
        });
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}

package org.daig.blob.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A response body that is closed when no bytes arrived for the timeout: the JDK's HttpClient has
 * a timeout until an answer's headers but none for its body, so a server that stops sending would
 * hold a download for ever. A read blocked at that moment fails with an IOException.
 */
final class StallGuard extends InputStream {

    /** One daemon thread for every guard; it ends when no download runs. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "daig-blob-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.setKeepAliveTime(30, TimeUnit.SECONDS);
        WATCHDOG.allowCoreThreadTimeOut(true);
        WATCHDOG.setRemoveOnCancelPolicy(true);
    }

    private final InputStream in;
    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    StallGuard(InputStream in, Duration timeout) {
        this.in = in;
        this.timeoutNanos = timeout.toNanos();
        long every = Math.max(1, timeout.toMillis() / 4);
        this.check = WATCHDOG.scheduleWithFixedDelay(this::checkProgress, every, every, TimeUnit.MILLISECONDS);
    }

    private void checkProgress() {
        if (System.nanoTime() - lastProgress >= timeoutNanos) {
            stalled = true;
            check.cancel(false);
            try {
                in.close();
            } catch (IOException e) {
                // the reader learns of the stall from its failing read
            }
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            int n = in.read(b, off, len);
            lastProgress = System.nanoTime();
            return n;
        } catch (IOException e) {
            if (stalled) {
                throw new IOException("no bytes arrived for " + Duration.ofNanos(timeoutNanos).toMillis() + " ms; the download was cut off", e);
            }
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        in.close();
    }
}

package org.daig.monitor.idle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.jna.platform.mac.IOKit;
import com.sun.jna.platform.mac.IOKitUtil;

/**
 * Input idle time on macOS: the HIDIdleTime property (nanoseconds) of the IOHIDSystem service,
 * read through IOKit (jna-platform). Should that fail, the same property is parsed from the output
 * of {@code ioreg -c IOHIDSystem}, which costs a process start per sample.
 */
final class MacUserIdle implements UserIdleReader {

    private static final Pattern HID_IDLE = Pattern.compile("\"HIDIdleTime\"\\s*=\\s*(\\d+)");
    private boolean ioKitFailed;

    @Override
    public String source() {
        return ioKitFailed ? "macOS (HIDIdleTime from ioreg)" : "macOS (HIDIdleTime from IOKit)";
    }

    @Override
    public long idleMillis(Notes notes) {
        if (!ioKitFailed) {
            try {
                long nanos = fromIoKit();
                if (nanos >= 0) {
                    return nanos / 1_000_000;
                }
            } catch (RuntimeException | LinkageError e) {
                // fall through to ioreg
            }
            ioKitFailed = true;
        }
        try {
            long nanos = parseHidIdleNanos(ioreg());
            if (nanos >= 0) {
                return nanos / 1_000_000;
            }
            notes.add(Notes.USER_IDLE, "no HIDIdleTime in the output of ioreg -c IOHIDSystem");
        } catch (IOException e) {
            notes.add(Notes.USER_IDLE, "ioreg failed (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notes.add(Notes.USER_IDLE, "interrupted");
        }
        return -1;
    }

    private static long fromIoKit() {
        IOKit.IOService service = IOKitUtil.getMatchingService("IOHIDSystem");
        if (service == null) {
            return -1;
        }
        try {
            Long nanos = service.getLongProperty("HIDIdleTime");
            if (nanos != null) {
                return nanos;
            }
            byte[] data = service.getByteArrayProperty("HIDIdleTime"); // older macOS: CFData, little-endian
            if (data == null || data.length < 8) {
                return -1;
            }
            long value = 0;
            for (int i = 7; i >= 0; i--) {
                value = (value << 8) | (data[i] & 0xFF);
            }
            return value;
        } finally {
            service.release();
        }
    }

    /** ioreg writes into a file: its output can outgrow a pipe, and a hung ioreg must not hang the sampler. */
    private static String ioreg() throws IOException, InterruptedException {
        Path out = Files.createTempFile("daig-ioreg", ".txt");
        try {
            Process process = new ProcessBuilder("ioreg", "-c", "IOHIDSystem").redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** HIDIdleTime in nanoseconds from ioreg's output, or -1. */
    static long parseHidIdleNanos(String ioregOutput) {
        Matcher m = HID_IDLE.matcher(ioregOutput);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}

package org.daig.itests;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Collects log lines while a test runs, to check what an operator would read. */
final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    List<String> lines() {
        synchronized (appender) { // the lock ListAppender adds under (AppenderBase.doAppend), not the list's
            return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    boolean contains(String... fragments) {
        return lines().stream().anyMatch(line -> {
            for (String f : fragments) {
                if (!line.contains(f)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits for a line containing every fragment. */
    void await(String... fragments) {
        try {
            Grid.await("a log line containing " + List.of(fragments), () -> contains(fragments));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the log had:\n" + String.join("\n", lines()), e);
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}

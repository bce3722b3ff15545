package org.daig.coordinator.experts;

import java.lang.annotation.Annotation;

/** {@link ExpertsConfig} values for tests outside DS. */
public final class ExpertsSettings {

    private ExpertsSettings() {
    }

    /** DHT peers on 127.0.0.1, checkpoints every 60 s. */
    public static ExpertsConfig of(long leaseSeconds, String advertisedHost, int relayPort) {
        return new ExpertsConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ExpertsConfig.class;
            }

            @Override
            public long leaseSeconds() {
                return leaseSeconds;
            }

            @Override
            public long checkpointSeconds() {
                return 60;
            }

            @Override
            public String dhtHost() {
                return "127.0.0.1";
            }

            @Override
            public String advertisedHost() {
                return advertisedHost;
            }

            @Override
            public int relayPort() {
                return relayPort;
            }
        };
    }
}

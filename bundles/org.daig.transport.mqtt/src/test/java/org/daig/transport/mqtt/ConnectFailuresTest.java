package org.daig.transport.mqtt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;

class ConnectFailuresTest {

    @Test
    void wrongCredentialsNameTheSettingsToFix() {
        String line = ConnectFailures.describe(new MqttException(MqttException.REASON_CODE_FAILED_AUTHENTICATION));
        assertTrue(line.contains("user name or password") && line.contains(MqttBusConfig.PID), line);
    }

    @Test
    void anUnreachableBrokerSaysSoWithoutAStackTrace() {
        MqttException e = new MqttException(MqttException.REASON_CODE_SERVER_CONNECT_ERROR,
                new ConnectException("Connection refused"));
        String line = ConnectFailures.describe(e);
        assertTrue(line.startsWith("connection refused"), line);
        assertTrue(!line.contains("\n") && !line.contains("Exception"), line);
    }

    @Test
    void aChangedCertificateIsNamedEvenInsideTheHandshakeFailure() {
        var changed = new org.daig.trust.CertificateChangedException("AA:BB", "CC:DD", java.nio.file.Path.of("pins", "host_8883"));
        var handshake = new javax.net.ssl.SSLHandshakeException("PKIX");
        handshake.initCause(changed);
        String line = ConnectFailures.describe(new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION, handshake));
        assertTrue(line.contains("certificate changed: pinned AA:BB, now presented CC:DD"), line);
        assertTrue(line.contains(java.nio.file.Path.of("pins", "host_8883").toString()), line);
    }
}

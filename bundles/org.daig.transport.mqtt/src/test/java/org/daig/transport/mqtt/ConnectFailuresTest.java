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
}

package org.daig.transport.mqtt;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import org.eclipse.paho.client.mqttv3.MqttException;

/** Turns Paho's exceptions into one line a person can act on. */
final class ConnectFailures {

    private ConnectFailures() {
    }

    static String describe(Throwable failure) {
        if (failure instanceof MqttException e) {
            switch (e.getReasonCode()) {
            case MqttException.REASON_CODE_FAILED_AUTHENTICATION:
            case MqttException.REASON_CODE_NOT_AUTHORIZED: // what Mosquitto answers to a wrong password
                return "the broker refused the user name or password (check passwordFile, or username/password, in the "
                        + MqttBusConfig.PID + " configuration: the token may be expired or revoked, or belong to another client id)";
            case MqttException.REASON_CODE_INVALID_CLIENT_ID:
                return "the broker rejected the client id";
            case MqttException.REASON_CODE_BROKER_UNAVAILABLE:
                return "the broker is unavailable";
            case MqttException.REASON_CODE_INVALID_PROTOCOL_VERSION:
                return "the broker does not speak MQTT 3.1.1";
            case MqttException.REASON_CODE_CLIENT_TIMEOUT:
                return "no answer from the broker in time";
            default:
                break;
            }
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof org.daig.trust.CertificateChangedException changed) {
                return changed.getMessage(); // the reason matters more than the handshake that carried it
            }
        }
        Throwable cause = failure;
        while (cause != null) {
            if (cause instanceof javax.net.ssl.SSLException) {
                return "TLS failed: " + cause.getMessage();
            }
            if (cause instanceof ConnectException) {
                return "connection refused (is the broker running on that host and port?)";
            }
            if (cause instanceof UnknownHostException) {
                return "unknown host " + cause.getMessage();
            }
            if (cause instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (cause instanceof SocketTimeoutException) {
                return "connect timed out";
            }
            if (cause instanceof java.io.EOFException) {
                return "the broker closed the connection";
            }
            if (cause.getCause() == cause) {
                break;
            }
            cause = cause.getCause();
        }
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }
}

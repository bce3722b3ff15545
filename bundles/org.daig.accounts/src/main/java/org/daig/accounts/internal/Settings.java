package org.daig.accounts.internal;

/**
 * {@link AccountsConfig} as plain values (tests make them directly).
 *
 * @param apiTokenMillis       how long a login lasts
 * @param deviceTokenMillis    how long a device token lasts
 * @param maxLoginFailures     failures per user and per address within the window before 429
 * @param failureWindowMillis  the window
 * @param signUpsPerHour       accounts one address may create per hour
 * @param coordinatorClientId  an extra client id the service token is valid for (blank: none)
 * @param topicRoot            the MQTT topic root, for the Mosquitto ACL
 */
public record Settings(long apiTokenMillis, long deviceTokenMillis, int maxLoginFailures, long failureWindowMillis, int signUpsPerHour,
        String coordinatorClientId, String topicRoot) {

    public static Settings of(AccountsConfig c) {
        return new Settings(c.apiTokenSeconds() * 1000L, c.deviceTokenDays() * 86_400_000L, Math.max(1, c.maxLoginFailures()),
                Math.max(1, c.failureWindowMinutes()) * 60_000L, Math.max(1, c.signUpsPerHour()), c.coordinatorClientId().trim(),
                c.topicRoot().trim().replaceAll("^/+|/+$", ""));
    }

    /** The shipped defaults. */
    public static Settings defaults() {
        return new Settings(43_200_000L, 365 * 86_400_000L, 5, 15 * 60_000L, 5, "", "daig/v1");
    }
}

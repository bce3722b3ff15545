package org.daig.api.presence;

/**
 * The retained message on a client's presence topic.
 *
 * @param clientId the client
 * @param role     its role
 * @param online   whether it is connected
 * @param since    epoch milliseconds of the change (the connect time for online, for the last will
 *                 the connect time of the session that died, since a will is fixed at connect)
 * @param reason   why it is offline ("shut down", "connection lost"); null when online
 */
public record Presence(String clientId, String role, boolean online, long since, String reason) {
}

package org.daig.experts.dht;

/** One value under a key's subkey, valid until {@code expiresAt} (milliseconds on the DHT's clock). */
public record Stored(String value, long expiresAt) {
}

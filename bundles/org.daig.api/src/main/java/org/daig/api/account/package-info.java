/**
 * Who is asking: accounts with roles, and the tokens that stand for them on HTTP and MQTT.
 * docs/security.md describes the model; the coordinator's org.daig.accounts bundle provides it.
 */
package org.daig.api.account;

/**
 * The control plane as DAIG's bundles see it: a small message bus carrying JSON messages on a
 * versioned topic tree. Implementations (MQTT today) live in their own bundles; everything else
 * depends on this package only, so a transport can be updated or replaced while the rest runs.
 *
 * <p>Receiving is a whiteboard: register a {@link org.daig.api.bus.MessageHandler} service with
 * the {@link org.daig.api.bus.MessageHandler#TOPICS} property; connection changes reach
 * {@link org.daig.api.bus.BusListener} services the same way.
 */
package org.daig.api.bus;

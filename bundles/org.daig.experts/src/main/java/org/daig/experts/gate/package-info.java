/**
 * The gate's side of a decentralized mixture of experts: a beam search over the expert grid through
 * the DHT, which keeps the {@code k} best live prefixes per dimension, and a negative cache of experts
 * and prefixes found dead.
 */
package org.daig.experts.gate;

/**
 * The experts' DHT: a small Kademlia (64-bit ids, XOR metric, k-buckets, iterative lookups with
 * {@code alpha} requests in flight, values with an expiry time) that maps expert-uid prefixes to live
 * servers. The network is a {@link org.daig.experts.dht.DhtTransport}: {@link org.daig.experts.dht.SimNetwork}
 * runs thousands of peers in one JVM in simulated time; a UDP or relay transport comes later.
 * docs/experts.md says why this is not a library from Maven Central.
 */
package org.daig.experts.dht;

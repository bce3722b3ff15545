package org.daig.experts.dht;

import java.util.concurrent.CompletableFuture;

import org.daig.experts.dht.DhtMessage.Reply;
import org.daig.experts.dht.DhtMessage.Request;

/**
 * How one node reaches others. The future fails (e.g. with a TimeoutException) when the peer does not
 * answer; the transport owns timeouts. Incoming requests go to the {@link Handler} the node was
 * attached with. Implementations: {@link SimNetwork} (in one JVM, simulated time); UDP or the grid's
 * relay later.
 */
public interface DhtTransport {

    CompletableFuture<Reply> call(Peer to, Request request);

    /** What a transport hands incoming requests to. */
    @FunctionalInterface
    interface Handler {
        Reply handle(Request request);
    }
}

package org.daig.product.tests;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's HTTP requests, at most {@code limit} in flight, the rest queued in order.
 * Each request in flight is a connection the coordinator holds open beside every provider's MQTT
 * connection; where the open-file limit cannot cover both for all providers (this machine allows
 * 20,000), the coordinator would refuse the uploads that find none left.
 */
final class HttpGate {

    private final HttpClient http;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    HttpGate(HttpClient http, int limit) {
        this.http = http;
        this.limit = limit;
    }

    <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        CompletableFuture<HttpResponse<T>> answer = new CompletableFuture<>();
        waiting.add(() -> http.sendAsync(request, handler).whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            startWaiting();
            if (failure != null) {
                answer.completeExceptionally(failure);
            } else {
                answer.complete(response);
            }
        }));
        startWaiting();
        return answer;
    }

    private void startWaiting() {
        while (!waiting.isEmpty()) {
            int n = inFlight.get();
            if (n >= limit) {
                return; // the next completion starts the next one
            }
            if (!inFlight.compareAndSet(n, n + 1)) {
                continue;
            }
            Runnable next = waiting.poll();
            if (next == null) {
                inFlight.decrementAndGet(); // taken by another thread meanwhile: look again
                continue;
            }
            next.run();
        }
    }
}

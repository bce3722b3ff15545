package org.daig.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The uploaders' proofs: bounded in number and in idle time, and safe for many uploads at once. */
class UploadProofsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final UploadProofs proofs = new UploadProofs(now::get);

    @Test
    void aProofLeftIdleTooLongIsGoneAndTheUploadStartsAgain() {
        UploadProofs.Proof proof = proofs.start("a", 10);
        proof.received = 4;
        now.addAndGet(UploadProofs.IDLE_MILLIS);
        assertSame(proof, proofs.find("a"), "a proof touched just within the idle time is kept");
        assertEquals(4, proofs.received("a"));
        now.addAndGet(UploadProofs.IDLE_MILLIS + 1);
        assertNull(proofs.find("a"), "idle for longer: gone");
        assertEquals(0, proofs.received("a"), "its uploader starts again at byte 0");
        assertEquals(0, proofs.size());
    }

    @Test
    void pastTheLimitTheLongestUntouchedProofsGoFirstAndTheNewOneStays() {
        for (int i = 0; i < UploadProofs.MAX_PROOFS; i++) {
            proofs.start("p" + i, 10);
            now.incrementAndGet();
        }
        proofs.find("p0"); // touched again: now among the most recent
        now.incrementAndGet();
        UploadProofs.Proof newest = proofs.start("new", 10);

        assertEquals(UploadProofs.MAX_PROOFS, proofs.size());
        assertSame(newest, proofs.find("new"));
        assertNotNull(proofs.find("p0"), "touched recently");
        assertNull(proofs.find("p1"), "the longest untouched one made room");
        assertNotNull(proofs.find("p2"));
    }

    @Test
    void uploadsStartedOnManyThreadsAtOnceAllKeepTheirProofs() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<UploadProofs.Proof>> starts = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                String key = "k" + i;
                starts.add(() -> proofs.start(key, 10));
            }
            List<Future<UploadProofs.Proof>> started = pool.invokeAll(starts);
            for (int i = 0; i < started.size(); i++) {
                assertSame(started.get(i).get(), proofs.find("k" + i));
            }
            assertEquals(2000, proofs.size());
        } finally {
            pool.shutdownNow();
        }
    }
}

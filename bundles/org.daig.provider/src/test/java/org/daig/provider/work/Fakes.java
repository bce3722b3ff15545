package org.daig.provider.work;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.daig.api.machine.IdleDecision;
import org.daig.api.task.Task;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;

/** Small stand-ins for the API services the provider's parts use. */
final class Fakes {

    private Fakes() {
    }

    static final Instant NOON = Instant.parse("2026-12-01T12:00:00Z");

    static final IdleDecision IDLE = new IdleDecision(true, "idle for 5 min", null);
    static final IdleDecision BUSY = new IdleDecision(false, "the user is active", null);

    static Task task(String projectId, int shard, long deadline) {
        return new Task("lease-" + projectId + "-" + shard, projectId, 3, shard, 7, "model-blob", "params-blob", "x-blob", "y-blob", 100, 2,
                16, 42L, deadline, "http://127.0.0.1:1/");
    }

    /** A clock the test moves by hand, in UTC so formatted times are fixed. */
    static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A worker process that records what was done to it, in order. */
    static final class FakeWorker implements Worker {
        final List<String> events = new ArrayList<>();
        final List<Map<String, ?>> fields = new ArrayList<>();
        final List<float[]> payloads = new ArrayList<>();
        boolean alive = true;
        /** Every field the trainer's load and train answers carry, and a delta. */
        WorkerAnswer answer = new WorkerAnswer(Map.of("params", 3.0, "outputs", 1.0, "samples", 100.0, "steps", 4.0, "loss", 0.25,
                "accuracy", 0.9, "seconds", 3.5), new float[] { 0.1f, 0.2f, 0.3f });

        @Override
        public long pid() {
            return 4242;
        }

        @Override
        public boolean isAlive() {
            return alive;
        }

        @Override
        public WorkerAnswer call(String op, Map<String, ?> fields, float[] payload) {
            events.add(op);
            this.fields.add(fields);
            payloads.add(payload);
            return answer;
        }

        @Override
        public void suspend() throws IOException {
            events.add("suspend");
        }

        @Override
        public void resume() throws IOException {
            events.add("resume");
        }

        @Override
        public void kill() {
            events.add("kill");
            alive = false;
        }

        @Override
        public void close() {
            kill();
        }
    }

    /** Hands out fresh fake workers and remembers the limits each was started with. */
    static final class FakeLauncher implements WorkerLauncher {
        final List<FakeWorker> started = new ArrayList<>();
        final List<WorkerLimits> limits = new ArrayList<>();

        @Override
        public Worker start(WorkerLimits limits) {
            this.limits.add(limits);
            FakeWorker worker = new FakeWorker();
            started.add(worker);
            return worker;
        }

        FakeWorker last() {
            return started.get(started.size() - 1);
        }
    }
}

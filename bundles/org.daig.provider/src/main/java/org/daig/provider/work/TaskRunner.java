package org.daig.provider.work;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.daig.api.bus.IncomingMessage;
import org.daig.api.bus.MalformedMessageException;
import org.daig.api.bus.MessageBus;
import org.daig.api.bus.MessageHandler;
import org.daig.api.bus.Topics;
import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.IdleListener;
import org.daig.api.machine.IdleMonitor;
import org.daig.api.task.Task;
import org.daig.api.task.TaskRelease;
import org.daig.api.task.TaskReply;
import org.daig.api.task.TaskRequest;
import org.daig.api.task.TaskResult;
import org.daig.api.task.TaskTopics;
import org.daig.api.trainer.Worker;
import org.daig.api.trainer.WorkerAnswer;
import org.daig.api.trainer.WorkerDiedException;
import org.daig.api.trainer.WorkerException;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.daig.api.volunteer.Volunteer;
import org.daig.api.volunteer.VolunteerStatus;
import org.daig.api.volunteer.VolunteerStatus.CurrentTask;
import org.daig.api.volunteer.VolunteerStatus.FinishedTask;
import org.daig.api.volunteer.VolunteerStatus.State;
import org.daig.blob.client.BlobCache;
import org.daig.blob.client.BlobClient;
import org.daig.wire.VectorFile;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volunteer's work loop. While the user lets it participate and the idle policy allows,
 * it leases a task, fetches the model, parameters and shard (through the download cache), trains
 * in a warm worker JVM, uploads the delta and commits the result — over and over. When the
 * policy says the machine is busy, the worker is suspended at once (SIGSTOP) and resumed when it
 * is idle again; a task still suspended at its deadline is given back. Whatever goes wrong
 * (coordinator away, a blob that does not verify, a worker crash) is one log line; the loop
 * carries on.
 */
@Component(service = { TaskRunner.class, Volunteer.class, MessageHandler.class }, configurationPid = TaskRunnerConfig.PID, property = {
        MessageHandler.TOPICS + "=coordinators/+/to/+/tasks",
        MessageHandler.BUS_ROLE + "=" + Topics.PROVIDER })
@Designate(ocd = TaskRunnerConfig.class)
public class TaskRunner implements Volunteer, MessageHandler, IdleListener {

    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);
    private static final long REPLY_TIMEOUT_MS = 5000;
    private static final int RECENT_TASKS = 20;
    /** A problem older than this no longer turns the tray icon to "error". */
    private static final long PROBLEM_SHOWN_MS = 120_000;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(" + MessageBus.ROLE + "=" + Topics.PROVIDER + ")")
    private volatile MessageBus bus;

    @Reference
    private WorkerLauncher launcher;

    @Reference
    private IdleMonitor idle;

    /** What the provider is doing, for the status endpoint and the tray. */
    public record Status(boolean participating, String activity, String decision, boolean mayRun, String projectId, int round,
            int shard, long tasksDone, double creditEarned, String lastProblem, long workerPid, boolean suspended) {
    }

    private final Object lock = new Object();
    private final Map<String, CompletableFuture<TaskReply>> pending = new ConcurrentHashMap<>();
    private final AtomicLong tasksDone = new AtomicLong();
    private volatile double credit;
    private volatile boolean participating;
    private volatile boolean running = true;
    /** The decision tasks obey: the idle policy's, or "snoozed" while snoozed. */
    private volatile IdleDecision decision;
    private volatile IdleDecision policyDecision;
    private volatile Instant snoozedUntil;
    private volatile boolean finishing;
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private volatile long taskStartedAt;
    private final Deque<FinishedTask> recent = new ConcurrentLinkedDeque<>();
    private volatile long lastProblemAt;
    private Path creditsFile;
    private volatile String activity = "starting";
    private volatile Task current;
    private volatile boolean suspended;
    private volatile long suspendedAt;
    private volatile String lastProblem;
    private Path stateFile;
    private Path cacheDir;
    private Path tmpDir;
    private long cacheBytes;
    private final Map<String, BlobCache> caches = new ConcurrentHashMap<>();
    private volatile Worker worker;
    private final Object workerLock = new Object();
    private Thread thread;
    private java.util.concurrent.ScheduledExecutorService deadlines;

    @Activate
    void activate(BundleContext context, TaskRunnerConfig config) throws IOException {
        Path data = Path.of(Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data"));
        stateFile = data.resolve("provider").resolve("participating");
        creditsFile = data.resolve("provider").resolve("credits");
        cacheDir = data.resolve("provider").resolve("cache");
        tmpDir = data.resolve("provider").resolve("tmp");
        Files.createDirectories(cacheDir);
        Files.createDirectories(tmpDir);
        cacheBytes = config.cacheMegabytes() * (1L << 20);
        participating = Files.exists(stateFile) ? Files.readString(stateFile).trim().equals("true") : config.participateByDefault();
        readCredits();
        policyDecision = idle.current();
        decision = policyDecision;
        idle.addListener(this);
        thread = new Thread(this::loop, "daig-provider-work");
        thread.setDaemon(true);
        thread.start();
        deadlines = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-provider-deadline");
            t.setDaemon(true);
            return t;
        });
        deadlines.scheduleWithFixedDelay(this::checkDeadline, 1, 1, TimeUnit.SECONDS);
        LOG.info("Provider work loop started; {}", participating ? "participating" : "not participating (switch on with 'participate')");
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        running = false;
        deadlines.shutdownNow();
        idle.removeListener(this);
        Task task = current;
        if (task != null) {
            release(task, "the provider is stopping");
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        killWorker();
        thread.interrupt();
        thread.join(5000);
    }

    @Override
    public void participate(boolean on) throws IOException {
        Files.createDirectories(stateFile.getParent());
        Files.writeString(stateFile, Boolean.toString(on));
        participating = on;
        LOG.info(on ? "Participating: tasks will run when the machine is idle" : "Stopped participating");
        if (!on) {
            Task task = current;
            if (task != null) {
                release(task, "the volunteer stopped participating");
                killWorker();
            }
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The work loop's details for the loopback endpoint, Gogo and tests (the tray uses {@link #status()}). */
    public Status workStatus() {
        Task task = current;
        IdleDecision d = decision;
        return new Status(participating, activity, d == null ? null : d.reason(), d != null && d.mayRun(),
                task == null ? null : task.projectId(), task == null ? -1 : task.round(), task == null ? -1 : task.shard(),
                tasksDone.get(), credit, lastProblem, workerPid(), suspended);
    }

    // ------------------------------------------------------------- idle policy

    @Override
    public void decisionChanged(IdleDecision changed) {
        policyDecision = changed;
        apply();
    }

    /** Suspends or resumes the worker to follow the policy's decision, overruled by a snooze. */
    private void apply() {
        IdleDecision policy = policyDecision;
        Instant snooze = snoozedUntil;
        IdleDecision changed = snooze == null ? policy
                : new IdleDecision(false, "snoozed until " + DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneId.systemDefault()).format(snooze),
                        policy == null ? null : policy.state());
        decision = changed;
        synchronized (lock) {
            Worker w = worker;
            if (w != null && current != null) {
                try {
                    if (!changed.mayRun() && !suspended) {
                        w.suspend();
                        suspended = true;
                        suspendedAt = System.currentTimeMillis();
                        LOG.info("Training suspended: {}", changed.reason());
                    } else if (changed.mayRun() && suspended) {
                        w.resume();
                        suspended = false;
                        LOG.info("Training resumed: {}", changed.reason());
                    }
                } catch (IOException e) {
                    LOG.warn("Could not {} the worker: {}", changed.mayRun() ? "resume" : "suspend", e.getMessage());
                }
            }
            lock.notifyAll();
        }
    }

    /** Whether the worker is suspended right now (for tests and the status). */
    public boolean isSuspended() {
        return suspended;
    }

    /** The worker's process id, or -1 (for tests and diagnostics). */
    public long workerPid() {
        Worker w = worker;
        return w == null ? -1 : w.pid();
    }

    // ------------------------------------------------------------- loop

    private boolean mayWork() {
        MessageBus b = bus;
        IdleDecision d = decision;
        return running && participating && !finishing && b != null && b.isConnected() && d != null && d.mayRun();
    }

    private void loop() {
        long backoff = 1000;
        while (running) {
            try {
                synchronized (lock) {
                    while (running && !mayWork()) {
                        activity = !participating ? "not participating" : finishing ? "finishing up"
                                : bus == null || !bus.isConnected() ? "disconnected" : "waiting: " + decision.reason();
                        lock.wait(1000);
                    }
                }
                if (!running) {
                    return;
                }
                prewarm();
                activity = "asking for a task";
                String requestId = UUID.randomUUID().toString();
                TaskReply reply = exchange(TaskTopics.requests(bus.clientId()), new TaskRequest(requestId, 0), requestId);
                if (reply == null) {
                    problem("the coordinator did not answer a task request within " + REPLY_TIMEOUT_MS / 1000 + " s; asking again in "
                            + backoff / 1000 + " s");
                    pause(backoff);
                    backoff = Math.min(backoff * 2, 30_000);
                    continue;
                }
                backoff = 1000;
                if (reply.kind() == TaskReply.Kind.TASK && reply.task() != null) {
                    work(reply.task());
                } else {
                    activity = "no task available";
                    pause(Math.max(500, Math.min(reply.retryAfterMs(), 10_000)));
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                problem("unexpected: " + e);
                try {
                    pause(2000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /**
     * Starts the worker JVM in the background while the first task is being asked for and
     * downloaded, so its start-up (about a second) is not on the task's critical path.
     */
    private void prewarm() {
        if (worker == null || !worker.isAlive()) {
            Thread t = new Thread(() -> {
                try {
                    worker();
                } catch (WorkerException e) {
                    problem(e.getMessage());
                }
            }, "daig-worker-prewarm");
            t.setDaemon(true);
            t.start();
        }
    }

    private void pause(long millis) throws InterruptedException {
        synchronized (lock) {
            lock.wait(millis);
        }
    }

    private void work(Task task) throws InterruptedException {
        taskStartedAt = System.currentTimeMillis();
        current = task;
        String where = "project " + task.projectId() + " round " + task.round() + " shard " + task.shard();
        try {
            activity = "downloading " + where;
            BlobCache cache = cache(task.blobBaseUrl());
            Path model = cache.get(task.model());
            Path x = cache.get(task.x());
            Path y = cache.get(task.y());
            float[] params;
            try (InputStream in = Files.newInputStream(cache.get(task.params()))) {
                params = VectorFile.read(in, -1);
            }
            synchronized (lock) { // the machine may have become busy while the blobs came in
                while (running && current == task && !decision.mayRun()) {
                    activity = "waiting to train " + where + ": " + decision.reason();
                    lock.wait(1000);
                }
            }
            if (current != task) {
                return;
            }
            activity = "training " + where;
            Worker w = worker();
            w.call("load", Map.of("model", model.toString()), new float[0]);
            WorkerAnswer answer = w.call("train", Map.of("x", x.toString(), "y", y.toString(), "epochs", task.epochs(), "batch",
                    task.batchSize(), "seed", task.seed()), params);
            if (current != task) {
                return; // given back meanwhile
            }
            activity = "uploading the result of " + where;
            String delta = upload(task.blobBaseUrl(), answer.payload());
            commit(task, delta, answer);
        } catch (WorkerDiedException e) {
            if (current == task) { // not killed on purpose after giving the task back
                problem("the worker died training " + where + ": " + e.getMessage());
                release(task, "worker died: " + e.getMessage());
            }
            worker = null;
        } catch (WorkerException | IOException e) {
            problem(where + ": " + e.getMessage());
            if (current == task) {
                release(task, e.getMessage());
            }
        } finally {
            current = null;
            suspended = false;
            if (finishing) {
                finished.complete(null);
            }
        }
    }

    private void commit(Task task, String delta, WorkerAnswer answer) throws InterruptedException {
        for (int attempt = 1; attempt <= 10 && running; attempt++) {
            String requestId = UUID.randomUUID().toString();
            TaskResult result = new TaskResult(requestId, task.leaseId(), task.projectId(), task.round(), task.shard(), task.version(),
                    delta, (long) answer.number("samples"), answer.number("loss"), answer.number("accuracy"), answer.number("seconds"));
            TaskReply reply = exchange(TaskTopics.results(bus.clientId()), result, requestId);
            if (reply == null) {
                continue; // no answer: commit again (a duplicate is harmless)
            }
            switch (reply.kind()) {
            case ACCEPTED -> {
                tasksDone.incrementAndGet();
                credit += reply.credit();
                writeCredits();
                lastProblem = null;
                finished(task, "accepted", reply.credit());
                LOG.info("Result accepted: project {} round {} shard {} ({} samples, loss {}, {} s), credit {}", task.projectId(), task.round(),
                        task.shard(), (long) answer.number("samples"), String.format("%.4f", answer.number("loss")),
                        String.format("%.1f", answer.number("seconds")), String.format("%.6f", reply.credit()));
            }
            case DUPLICATE -> {
                LOG.info("Result for project {} shard {} was already accepted", task.projectId(), task.shard());
                finished(task, "duplicate", 0);
            }
            case STALE -> {
                LOG.info("Result for project {} round {} came too late: {}", task.projectId(), task.round(), reply.message());
                finished(task, "stale: " + reply.message(), 0);
            }
            default -> {
                problem("result for project " + task.projectId() + " refused: " + reply.message());
                finished(task, "refused: " + reply.message(), 0);
            }
            }
            return;
        }
        problem("the coordinator did not confirm the result of project " + task.projectId() + " round " + task.round());
    }

    private String upload(String baseUrl, float[] delta) throws IOException {
        Path file = Files.createTempFile(tmpDir, "delta", ".npy");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                VectorFile.write(out, delta);
            }
            return new BlobClient(URI.create(baseUrl)).upload(file, n -> { });
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private BlobCache cache(String baseUrl) throws IOException {
        if (baseUrl == null) {
            throw new IOException("the coordinator did not say where its blobs are (no HTTP endpoint)");
        }
        BlobCache cache = caches.get(baseUrl);
        if (cache == null) {
            cache = new BlobCache(cacheDir, cacheBytes, new BlobClient(URI.create(baseUrl)));
            caches.put(baseUrl, cache);
        }
        return cache;
    }

    private Worker worker() throws WorkerException {
        synchronized (workerLock) { // not the state lock: a policy change must never wait for a JVM start
            if (worker == null || !worker.isAlive()) {
                try {
                    worker = launcher.start(new WorkerLimits(idle.maxWorkerHeap(), idle.maxWorkerThreads(), true));
                } catch (IOException e) {
                    throw new WorkerException("cannot start the trainer worker: " + e.getMessage());
                }
            }
            return worker;
        }
    }

    private void killWorker() {
        synchronized (workerLock) {
            if (worker != null) {
                worker.kill();
                worker = null;
            }
            suspended = false;
        }
    }

    /** A task suspended past its deadline is given back, so another provider can do it now. */
    public void checkDeadline() {
        Instant snooze = snoozedUntil;
        if (snooze != null && Instant.now().isAfter(snooze)) {
            snoozedUntil = null;
            LOG.info("Snooze over");
            apply();
        }
        Task task = current;
        if (task != null && suspended && System.currentTimeMillis() > task.deadline()) {
            release(task, "the machine stayed busy past the task's deadline");
            killWorker();
        }
    }

    private void release(Task task, String reason) {
        current = null;
        finished(task, "given back: " + reason, 0);
        MessageBus b = bus;
        if (b != null) {
            String requestId = UUID.randomUUID().toString();
            b.publish(TaskTopics.releases(b.clientId()), new TaskRelease(requestId, task.leaseId(), reason), false);
        }
        LOG.info("Gave back project {} round {} shard {}: {}", task.projectId(), task.round(), task.shard(), reason);
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.warn("Provider: {}", message);
        }
        lastProblem = message;
        lastProblemAt = System.currentTimeMillis();
    }

    // ------------------------------------------------------------- volunteer

    @Override
    public void snoozeUntil(Instant until) {
        snoozedUntil = until;
        LOG.info(until == null ? "Snooze ended by the volunteer" : "Snoozed until {}", until);
        apply();
    }

    @Override
    public CompletableFuture<Void> finishUp(boolean giveBackNow) {
        finishing = true;
        Task task = current;
        if (task != null && giveBackNow) {
            release(task, "the volunteer quit");
            killWorker();
        }
        if (current == null) {
            finished.complete(null);
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        return finished;
    }

    @Override
    public VolunteerStatus status() {
        Task task = current;
        IdleDecision d = decision;
        MessageBus b = bus;
        boolean connected = b != null && b.isConnected();
        String problem = lastProblem;
        boolean freshProblem = problem != null && System.currentTimeMillis() - lastProblemAt < PROBLEM_SHOWN_MS;
        State state = !participating ? State.STOPPED
                : snoozedUntil != null ? State.SNOOZED
                : !connected ? State.DISCONNECTED
                : task != null && !suspended ? State.TRAINING
                : freshProblem ? State.ERROR
                : State.WAITING;
        String summary = switch (state) {
        case STOPPED -> "Not participating";
        case SNOOZED -> d == null ? "Snoozed" : capitalized(d.reason());
        case DISCONNECTED -> "Cannot reach the coordinator" + (b == null ? "" : " (" + b.brokerUrl() + ")");
        case ERROR -> "Problem: " + problem;
        default -> capitalized(activity);
        };
        CurrentTask inHand = task == null ? null
                : new CurrentTask(task.projectId(), task.round(), task.shard(), activity.split(" ", 2)[0], Instant.ofEpochMilli(taskStartedAt),
                        Instant.ofEpochMilli(task.deadline()), suspended);
        return new VolunteerStatus(state, summary, participating, snoozedUntil, policyDecision == null ? null : policyDecision.reason(),
                d != null && d.mayRun(), connected, b == null ? null : b.brokerUrl(), inHand, tasksDone.get(), credit, problem,
                List.copyOf(recent), d == null ? null : d.state());
    }

    private static String capitalized(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private void finished(Task task, String outcome, double earned) {
        recent.addFirst(new FinishedTask(task.projectId(), task.round(), task.shard(), Instant.now(),
                (System.currentTimeMillis() - taskStartedAt) / 1000.0, outcome, earned));
        while (recent.size() > RECENT_TASKS) {
            recent.pollLast();
        }
    }

    /** Credits and the count of accepted tasks survive restarts: volunteers like to see their total grow. */
    private void readCredits() {
        try {
            if (Files.exists(creditsFile)) {
                String[] parts = Files.readString(creditsFile).trim().split("\\s+");
                credit = Double.parseDouble(parts[0]);
                tasksDone.set(parts.length > 1 ? Long.parseLong(parts[1]) : 0);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not read the credits total in {} ({}); counting from zero", creditsFile, e.getMessage());
        }
    }

    private void writeCredits() {
        try {
            Path tmp = creditsFile.resolveSibling("credits.tmp");
            Files.writeString(tmp, credit + " " + tasksDone.get() + "\n");
            Files.move(tmp, creditsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Could not save the credits total to {}: {}", creditsFile, e.getMessage());
        }
    }

    private TaskReply exchange(String topic, Object message, String requestId) throws InterruptedException {
        CompletableFuture<TaskReply> reply = new CompletableFuture<>();
        pending.put(requestId, reply);
        try {
            MessageBus b = bus;
            if (b == null || !b.publish(topic, message, false)) {
                return null;
            }
            return reply.get(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        } finally {
            pending.remove(requestId);
        }
    }

    @Override
    public void onMessage(IncomingMessage message) throws MalformedMessageException {
        if (message.isEmpty() || !message.bus().clientId().equals(Topics.segment(message.topic(), 3))) {
            return;
        }
        TaskReply reply = message.decode(TaskReply.class);
        CompletableFuture<TaskReply> waiting = pending.get(reply.requestId());
        if (waiting != null) {
            waiting.complete(reply);
        }
    }
}

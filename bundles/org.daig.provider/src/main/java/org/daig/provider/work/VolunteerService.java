package org.daig.provider.work;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.api.machine.IdleDecision;
import org.daig.api.machine.IdleMonitor;
import org.daig.api.task.Task;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.trainer.WorkerLimits;
import org.daig.api.volunteer.Volunteer;
import org.daig.api.volunteer.VolunteerStatus;
import org.daig.api.volunteer.VolunteerStatus.CurrentTask;
import org.daig.api.volunteer.VolunteerStatus.State;
import org.daig.provider.enrol.Enrolment;
import org.daig.provider.enrol.EnrolmentState;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Volunteer} service: the volunteer's controls (participate, snooze, finish up) and the
 * status the tray shows. It assembles the provider's work from its parts — the participation
 * state, the idle gate that suspends the worker, the warm worker, the work loop and the task
 * history — and ticks once a second to end snoozes and give back tasks suspended past their deadline.
 */
@Component(service = { Volunteer.class, Participation.class }, configurationPid = WorkConfig.PID)
@Designate(ocd = WorkConfig.class)
public class VolunteerService implements Participation {

    private static final Logger LOG = LoggerFactory.getLogger(VolunteerService.class);
    /** A problem older than this no longer turns the tray icon to "error". */
    private static final long PROBLEM_SHOWN_MS = 120_000;

    @Reference
    private TaskExchange exchange;

    @Reference
    private WorkerLauncher launcher;

    @Reference
    private IdleMonitor idle;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Enrolment enrolment;

    private final Clock clock = Clock.systemDefaultZone();
    private ParticipationState participation;
    private TaskHistory history;
    private WarmWorker worker;
    private IdleGate gate;
    private WorkLoop loop;
    private ScheduledExecutorService ticker;
    private ExpertHostingLoop experts;
    /** The experts' own timer: its calls to the coordinator must not hold up the deadline ticks. */
    private ScheduledExecutorService expertsTimer;

    @Activate
    void activate(BundleContext context, WorkConfig config) throws IOException {
        Path data = ProviderFolder.of(context);
        Path cacheDir = Files.createDirectories(data.resolve("cache"));
        Path tmpDir = Files.createDirectories(data.resolve("tmp"));
        participation = new ParticipationState(data.resolve("participating"), config.participateByDefault(), clock);
        history = new TaskHistory(data.resolve("credits"), clock);
        worker = new WarmWorker(launcher, () -> new WorkerLimits(idle.maxWorkerHeap(), idle.maxWorkerThreads(), true));
        gate = new IdleGate(participation, worker, () -> loop.wake());
        TaskTrainer trainer = new TaskTrainer(cacheDir, config.cacheMegabytes() * (1L << 20), tmpDir, worker, new DeviceTokenFile(data));
        loop = new WorkLoop(exchange, participation, gate, worker, trainer, history, clock);
        loop.slowDown(config.slowdownFactor());
        participation.policyChanged(idle.current());
        idle.addListener(gate);
        loop.start();
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "daig-provider-deadline");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
        if (config.hostExperts()) {
            // a worker of its own: training workers have no network (the sandbox), experts answer calls from the network;
            // it reads no stranger's file, only tensors of a checked size and its own checkpoints
            WarmWorker hostingWorker = new WarmWorker(launcher, () -> new WorkerLimits(idle.maxWorkerHeap(), idle.maxWorkerThreads(), true),
                    false);
            experts = new ExpertHostingLoop(() -> enrolment == null ? null : enrolment.state(), new DeviceTokenFile(data), this::mayWork,
                    hostingWorker, new ExpertHostingLoop.Settings(config.expertHost(),
                            config.expertRelayCa().isBlank() ? null : Path.of(config.expertRelayCa()), tmpDir), clock::millis);
            expertsTimer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "daig-provider-experts");
                t.setDaemon(true);
                return t;
            });
            expertsTimer.scheduleWithFixedDelay(experts::tick, 5, 5, TimeUnit.SECONDS);
        }
        LOG.info("Provider work loop started; {}",
                participation.participating() ? "participating" : "not participating (switch on with 'participate')");
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        ticker.shutdownNow();
        if (experts != null) {
            expertsTimer.shutdownNow();
            experts.close();
        }
        idle.removeListener(gate);
        loop.stop();
    }

    /** Whether the volunteer participates and the machine may work now (idle, not snoozed). */
    private boolean mayWork() {
        IdleDecision d = participation.decision();
        return participation.participating() && d != null && d.mayRun();
    }

    private void tick() {
        if (participation.endSnoozeIfOver()) {
            LOG.info("Snooze over");
            gate.follow();
        }
        loop.giveBackIfOverdue();
    }

    @Override
    public void participate(boolean on) throws IOException {
        participation.participate(on);
        LOG.info(on ? "Participating: tasks will run when the machine is idle" : "Stopped participating");
        if (!on && loop.giveBack("the volunteer stopped participating")) {
            loop.killWorker();
        }
        loop.wake();
    }

    @Override
    public void snoozeUntil(Instant until) {
        participation.snoozeUntil(until);
        LOG.info(until == null ? "Snooze ended by the volunteer" : "Snoozed until {}", until);
        gate.follow();
    }

    @Override
    public CompletableFuture<Void> finishUp(boolean giveBackNow) {
        return loop.finishUp(giveBackNow);
    }

    @Override
    public WorkStatus workStatus() {
        Task task = loop.current();
        IdleDecision d = participation.decision();
        return new WorkStatus(participation.participating(), loop.activity(), d == null ? null : d.reason(), d != null && d.mayRun(),
                task == null ? null : task.projectId(), task == null ? -1 : task.round(), task == null ? -1 : task.shard(),
                history.tasksDone(), history.credit(), loop.lastProblem(), worker.pid(), gate.isSuspended());
    }

    @Override
    public VolunteerStatus status() {
        Task task = loop.current();
        IdleDecision d = participation.decision();
        IdleDecision policy = participation.policy();
        Instant snoozedUntil = participation.snoozedUntil();
        boolean connected = exchange.isConnected();
        String broker = exchange.brokerUrl();
        boolean suspended = gate.isSuspended();
        String activity = loop.activity();
        String problem = loop.lastProblem();
        boolean freshProblem = problem != null && clock.millis() - loop.lastProblemAt().toEpochMilli() < PROBLEM_SHOWN_MS;
        Enrolment e = enrolment;
        EnrolmentState enrolled = e == null ? null : e.state();
        State state = !participation.participating() ? State.STOPPED
                : snoozedUntil != null ? State.SNOOZED
                : !connected ? State.DISCONNECTED
                : task != null && !suspended ? State.TRAINING
                : freshProblem ? State.ERROR
                : State.WAITING;
        String summary = switch (state) {
        case STOPPED -> "Not participating";
        case SNOOZED -> d == null ? "Snoozed" : capitalized(d.reason());
        case DISCONNECTED -> enrolled != null && !enrolled.enrolled() ? capitalized(enrolled.message()) // why it cannot connect
                : "Cannot reach the coordinator" + (broker == null ? "" : " (" + broker + ")");
        case ERROR -> "Problem: " + problem;
        default -> capitalized(activity);
        };
        CurrentTask inHand = task == null ? null
                : new CurrentTask(task.projectId(), task.round(), task.shard(), activity.split(" ", 2)[0], loop.taskStartedAt(),
                        Instant.ofEpochMilli(task.deadline()), suspended);
        return new VolunteerStatus(state, summary, participation.participating(), snoozedUntil, policy == null ? null : policy.reason(),
                d != null && d.mayRun(), connected, broker, inHand, history.tasksDone(), history.credit(), problem, history.recent(),
                d == null ? null : d.state(), enrolled != null && enrolled.enrolled(), enrolled == null ? null : enrolled.account(),
                enrolled == null ? null : enrolled.message());
    }

    private static String capitalized(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}

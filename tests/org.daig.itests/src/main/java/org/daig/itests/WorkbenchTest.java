package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;

import org.daig.api.bus.Topics;
import org.daig.api.project.ProjectState;
import org.daig.api.trainer.WorkerLauncher;
import org.daig.api.volunteer.Volunteer;
import org.daig.requestor.RequestorClient;
import org.daig.ui.WorkbenchOpener;
import org.daig.ui.workbench.Workbench;
import org.daig.ui.workbench.internal.DashboardView;
import org.daig.ui.workbench.internal.NewProjectWizard;
import org.daig.ui.workbench.internal.Predictor;
import org.daig.ui.workbench.internal.Preflight;
import org.daig.ui.workbench.internal.ProjectsView;
import org.daig.ui.workbench.internal.RequestorSession;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requestor workbench on a real display (Xvfb) against a real coordinator with a real provider
 * and trainer workers, on the digits data: the wizard refuses a bad project with its findings at
 * the fields (nothing uploaded), submits a good one, the dashboard draws the rounds as they
 * arrive, a version downloads and predicts; the E4 workbench window opens on the same display.
 */
@SuppressWarnings("restriction") // drives org.daig.ui.workbench.internal (x-internal) directly, as a user would
class WorkbenchTest {

    private static final Path DIGITS = Path.of(System.getProperty("daig.shared.data", "../../../shared/data"), "digits");

    private final Grid grid = new Grid();
    private Shell shell;
    private RequestorSession session;
    private Boolean participatingBefore;

    @AfterEach
    void tearDown() throws Exception {
        UiThread ui = UiThread.shared();
        if (shell != null) {
            ui.run(shell::dispose);
        }
        if (session != null) {
            session.close();
        }
        if (participatingBefore != null) {
            grid.service(Volunteer.class, null).orElseThrow().participate(participatingBefore);
        }
        grid.close();
    }

    /** A Keras MLP for the digits (64 inputs, 10 classes), written by the trainer's own CLI. */
    private static Path mlp(Path dir) throws Exception {
        Path worker = Path.of(System.getProperty("daig.worker.dir"));
        Path model = dir.resolve("digits-mlp.h5");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                worker + "/*:" + worker + "/lib/*", "org.daig.trainer.cli.TrainerCli", "model", "make-mlp", "--out", model.toString(),
                "--inputs", "64", "--outputs", "10", "--hidden", "32", "--seed", "1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return model;
    }

    @Test
    void aRequestorCreatesAProjectWatchesItTrainAndDownloadsTheModel(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isRegularFile(DIGITS.resolve("train_x.npy")), "../shared/data/digits is absent (" + DIGITS
                + "): the workbench test trains on the digits");
        UiThread ui = UiThread.shared();
        String url = grid.embeddedBroker();
        grid.bus(Topics.COORDINATOR, "coord-wb", url);
        grid.bus(Topics.PROVIDER, "prov-wb", url);
        grid.awaitConnected("coord-wb");
        grid.awaitConnected("prov-wb");
        Hashtable<String, Object> policy = new Hashtable<>();
        policy.put("mode", "always");
        policy.put("maxWorkerThreads", 1);
        grid.update("org.daig.monitor.policy", policy);
        Volunteer volunteer = grid.service(Volunteer.class, null).orElseThrow();
        participatingBefore = volunteer.status().participating();
        volunteer.participate(true);
        String base = grid.httpBase();
        WorkerLauncher launcher = grid.service(WorkerLauncher.class, null).orElseThrow();
        Path model = mlp(tmp);
        RequestorClient client = new RequestorClient(URI.create(base), grid.adminToken());
        int projectsBefore = Grid.eventually("the coordinator's project list", () -> {
            try {
                return client.projects().size();
            } catch (Exception notYet) {
                return null;
            }
        });

        session = new RequestorSession(ui.display, tmp.resolve("connection.properties"));
        session.login(URI.create(base), "admin", Grid.adminPassword().toCharArray()); // as the Connect dialog does
        DashboardView[] dashboard = new DashboardView[1];
        ProjectsView[] projects = new ProjectsView[1];
        NewProjectWizard wizard = ui.sync(() -> {
            shell = new Shell(ui.display);
            shell.setText("DAIG Workbench");
            shell.setLayout(new FillLayout());
            SashForm sash = new SashForm(shell, SWT.HORIZONTAL);
            projects[0] = new ProjectsView(sash, session, () -> null);
            dashboard[0] = new DashboardView(sash, session, new Predictor(launcher));
            sash.setWeights(34, 66);
            shell.setSize(1280, 760);
            shell.open();
            NewProjectWizard w = new NewProjectWizard(shell, session, new Preflight(launcher));
            w.open();
            return w;
        });

        // a bad project: labels given as data, K of 0
        ui.run(() -> {
            wizard.set("name", "digits");
            wizard.set("model", model.toString());
            wizard.set("x", DIGITS.resolve("train_y.npy").toString());
            wizard.set("y", DIGITS.resolve("train_y.npy").toString());
            wizard.set("taskSize", "0");
            wizard.checkButton().notifyListeners(SWT.Selection, new Event());
        });
        Grid.await("the pre-flight findings", () -> ui.sync(() -> !wizard.busy() && !wizard.errorOf("taskSize").isEmpty()),
                Duration.ofSeconds(120));
        String dataFindings = ui.sync(() -> wizard.errorOf("x") + wizard.errorOf("y") + wizard.generalText());
        assertTrue(ui.sync(() -> wizard.errorOf("taskSize")).contains("must"), ui.sync(() -> wizard.errorOf("taskSize")));
        assertFalse(dataFindings.isBlank(), "the data's problem is shown");
        ui.screenshot(ui.sync(wizard::shell), "workbench-new-project-findings");
        assertEquals(projectsBefore, client.projects().size(), "nothing was submitted");

        // the good project
        ui.run(() -> {
            wizard.set("x", DIGITS.resolve("train_x.npy").toString());
            wizard.set("taskSize", "1");
            wizard.set("totalTasks", "4");
            wizard.set("maxContributors", "1");
            wizard.set("batchSize", "32");
            wizard.set("epochs", "2");
            wizard.submitButton().notifyListeners(SWT.Selection, new Event());
        });
        Grid.await("the submission done", () -> ui.sync(() -> wizard.submittedId() != null || !wizard.busy() && !wizard.generalText().isBlank()),
                Duration.ofSeconds(120));
        String id = ui.sync(wizard::submittedId);
        assertTrue(id != null, () -> "not submitted: " + ui.sync(() -> wizard.generalText() + " " + java.util.stream.Stream.of("name", "model",
                "x", "y", "epochs", "batchSize", "totalTasks", "taskSize", "maxContributors", "validationRate", "passes", "seed", "loss",
                "optimizer", "learningRate").map(k -> k + ": " + wizard.errorOf(k)).toList()));
        Grid.await("two rounds drawn on the dashboard", () -> ui.sync(() -> dashboard[0].roundsShown() >= 2), Duration.ofSeconds(240));
        assertTrue(ui.sync(() -> dashboard[0].titleText()).contains(id));
        Grid.await("the project completed", () -> {
            try {
                return client.project(id).state() == ProjectState.COMPLETED;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(240));
        Grid.await("all rounds drawn", () -> ui.sync(() -> dashboard[0].roundsShown() == 4), Duration.ofSeconds(30));
        Grid.await("no pause or cancel for a finished project", () -> ui.sync(() -> !dashboard[0].pauseOrCancelOffered()));
        ui.screenshot(shell, "workbench-dashboard");

        Path h5 = tmp.resolve("downloaded.h5");
        ui.run(() -> dashboard[0].download(h5, 4, "h5"));
        String downloaded = Grid.eventually("the download", () -> {
            String m = ui.sync(() -> dashboard[0].messageText());
            return m.startsWith("Saved") || m.startsWith("Failed") ? m : null;
        });
        assertTrue(downloaded.startsWith("Saved"), downloaded);
        assertTrue(Files.size(h5) > 1000);
        Path predictions = tmp.resolve("predictions.npy");
        ui.run(() -> dashboard[0].predict(DIGITS.resolve("test_x.npy"), predictions, 4));
        String predicted = Grid.eventually("the predictions", () -> {
            String m = ui.sync(() -> dashboard[0].messageText());
            return m.startsWith("Predictions") || m.startsWith("Failed") ? m : null;
        });
        assertTrue(predicted.startsWith("Predictions"), predicted);
        assertEquals("\u0093NUMPY", new String(Files.readAllBytes(predictions), 0, 6, java.nio.charset.StandardCharsets.ISO_8859_1));

        // the E4 workbench window, on the coordinator this test talks to
        Path settings = Path.of(System.getProperty("daig.data.dir"), "workbench", "connection.properties");
        Files.createDirectories(settings.getParent());
        Files.writeString(settings, "coordinator=" + base.replace(":", "\\:") + "\n");
        Workbench workbench = (Workbench) grid.service(WorkbenchOpener.class, null).orElseThrow();
        ui.display.asyncExec(workbench::openWorkbench); // E4 runs its own loop until the window closes
        Shell window = Grid.eventually("the E4 workbench window", () -> ui.sync(() -> {
            Shell s = workbench.shell();
            return s != null && s.isVisible() ? s : null;
        }));
        assertEquals("DAIG Workbench", ui.sync(window::getText));
        // it has no session yet: the coordinator answers 401 and the window asks for a login, as Connect does
        Shell login = Grid.eventually("the E4 window asking for a login", () -> ui.sync(() -> List.of(window.getDisplay().getShells())
                .stream().filter(s -> s.isVisible() && "Log in to a DAIG coordinator".equals(s.getText())).findFirst().orElse(null)));
        ui.run(() -> {
            List<org.eclipse.swt.widgets.Text> fields = new java.util.ArrayList<>();
            for (org.eclipse.swt.widgets.Control child : login.getChildren()) {
                if (child instanceof org.eclipse.swt.widgets.Text text) {
                    fields.add(text);
                }
            }
            fields.get(0).setText(base);
            fields.get(1).setText("admin");
            fields.get(2).setText(Grid.adminPassword());
            login.getDefaultButton().notifyListeners(SWT.Selection, new Event());
        });
        Grid.await("the E4 window lists the project", () -> ui.sync(() -> List.of(window.getDisplay().getShells()).contains(window)
                && hasText(window, id)), Duration.ofSeconds(30));
        ui.screenshot(window, "workbench");
        ui.run(window::close);
        Grid.await("the E4 workbench closed", () -> ui.sync(() -> workbench.shell() == null));
        assertNotNull(id);
    }

    /** Whether a table somewhere in the window shows the text. */
    private static boolean hasText(org.eclipse.swt.widgets.Composite c, String text) {
        for (org.eclipse.swt.widgets.Control child : c.getChildren()) {
            if (child instanceof org.eclipse.swt.widgets.Table t) {
                for (org.eclipse.swt.widgets.TableItem item : t.getItems()) {
                    if (item.getText(0).equals(text)) {
                        return true;
                    }
                }
            } else if (child instanceof org.eclipse.swt.widgets.Composite inner && hasText(inner, text)) {
                return true;
            }
        }
        return false;
    }
}

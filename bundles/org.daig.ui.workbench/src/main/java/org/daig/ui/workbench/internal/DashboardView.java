package org.daig.ui.workbench.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectState;
import org.daig.api.project.ProjectView;
import org.daig.requestor.RequestorException;
import org.daig.ui.widgets.LineChart;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;

/**
 * One project as it trains: validation loss and accuracy per round as charts, rounds done,
 * contributors, speed and ETA; pause, resume and cancel; download of any version; predictions of
 * the current version on a chosen .npy.
 */
public final class DashboardView implements RequestorSession.Listener {

    private static final RGB VALIDATION = new RGB(33, 102, 172);
    private static final RGB TRAINING = new RGB(230, 120, 30);

    private final RequestorSession session;
    private final Predictor predictor;
    private final Composite root;
    private final Label title;
    private final Label figures;
    private final LineChart loss;
    private final LineChart accuracy;
    private final Button pause;
    private final Button resume;
    private final Button cancel;
    private final Spinner version;
    private final Combo format;
    private final Label message;
    private ProjectView shown;
    private int rounds = -1;

    public DashboardView(Composite parent, RequestorSession session, Predictor predictor) {
        this.session = session;
        this.predictor = predictor;
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(2, true));
        title = new Label(root, SWT.WRAP);
        title.setText("No project chosen: pick one on the left, or create one with \"New project…\"");
        title.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        figures = new Label(root, SWT.WRAP);
        figures.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        loss = chart("Loss per round", "loss");
        accuracy = chart("Validation accuracy per round", "accuracy");
        accuracy.setYRange(0, 1);

        Composite actions = new Composite(root, SWT.NONE);
        actions.setLayout(new GridLayout(9, false));
        actions.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        pause = button(actions, "Pause", () -> session.client().pause(shown.id()));
        resume = button(actions, "Resume", () -> session.client().resume(shown.id()));
        cancel = button(actions, "Cancel project", () -> session.client().cancel(shown.id()));
        new Label(actions, SWT.NONE).setText("   Version");
        version = new Spinner(actions, SWT.BORDER);
        version.setMaximum(0); // versions come with the project; SWT's default maximum is 100
        version.setToolTipText("The model version to download or predict with: 0 is the initial weights, each round adds one");
        format = new Combo(actions, SWT.READ_ONLY);
        format.setItems("Keras .h5", "DL4J .zip", "parameters .npy", "Keras 3 .keras (model uploaded as .keras)");
        format.select(0);
        Button download = new Button(actions, SWT.PUSH);
        download.setText("Download…");
        download.addListener(SWT.Selection, e -> download());
        Button predict = new Button(actions, SWT.PUSH);
        predict.setText("Predict…");
        predict.setToolTipText("Runs the chosen version on an .npy of inputs and saves the outputs as .npy");
        predict.addListener(SWT.Selection, e -> predict());
        message = new Label(root, SWT.WRAP);
        message.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        enable(false);
        session.addListener(this);
        root.addDisposeListener(e -> session.removeListener(this));
    }

    private LineChart chart(String name, String y) {
        LineChart chart = new LineChart(root, SWT.BORDER);
        chart.setTitle(name);
        chart.setAxisLabels("round", y);
        chart.setEmptyMessage("No rounds yet");
        GridData data = new GridData(SWT.FILL, SWT.FILL, true, true);
        data.heightHint = 260;
        data.widthHint = 360;
        chart.setLayoutData(data);
        return chart;
    }

    private interface Action {
        Object run() throws RequestorException;
    }

    private Button button(Composite parent, String text, Action action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(text);
        b.addListener(SWT.Selection, e -> {
            if (shown == null) {
                return;
            }
            try {
                action.run();
                message.setText(text + ": done");
                session.refreshNow();
            } catch (RequestorException ex) {
                message.setText(text + " failed: " + ex.getMessage());
            }
        });
        return b;
    }

    private void enable(boolean on) {
        for (Button b : new Button[] { pause, resume, cancel }) {
            b.setEnabled(on);
        }
    }

    public Composite control() {
        return root;
    }

    public String titleText() {
        return title.getText();
    }

    public String figuresText() {
        return figures.getText();
    }

    /** Rounds drawn on the charts so far (for tests). */
    public int roundsShown() {
        return rounds;
    }

    /** Whether Pause and Cancel are offered (for tests: not for a finished project). */
    public boolean pauseOrCancelOffered() {
        return pause.getEnabled() || cancel.getEnabled();
    }

    public String messageText() {
        return message.getText();
    }

    @Override
    public void focused(ProjectView p, List<Progress> versions) {
        if (root.isDisposed()) {
            return;
        }
        shown = p;
        title.setText(String.format(Locale.ROOT, "%s — %s (%s)%s", p.spec().name(), p.id(), Texts.lower(p.state()),
                p.message() == null ? "" : ": " + p.message()));
        int done = Math.min(p.round(), p.totalRounds());
        figures.setText(String.format(Locale.ROOT,
                "Rounds %d of %d · contributors now %d (at most %d) · %s samples/s · ETA %s · %,d parameters"
                        + " · %,d training rows in %d tasks (K = %d), %,d for validation",
                done, p.totalRounds(), p.contributors(), p.spec().maxContributors(),
                p.latest() == null ? "–" : String.format(Locale.ROOT, "%.0f", p.latest().samplesPerSecond()), Texts.eta(p.etaSeconds()), p.params(),
                p.trainRows(), p.spec().totalTasks(), p.spec().taskSize(), p.validationRows()));
        List<Progress> rated = versions.stream().filter(v -> v.version() > 0).toList();
        double[] xs = rated.stream().mapToDouble(v -> v.round() + 1).toArray();
        loss.setSeries("validation", xs, rated.stream().mapToDouble(Progress::loss).toArray(), VALIDATION);
        loss.setSeries("training", xs, rated.stream().mapToDouble(Progress::trainLoss).toArray(), TRAINING);
        accuracy.setSeries("validation", xs, rated.stream().mapToDouble(Progress::accuracy).toArray(), VALIDATION);
        loss.redraw();
        accuracy.redraw();
        rounds = rated.size();
        boolean live = !p.state().isFinal();
        pause.setEnabled(live && p.state() != ProjectState.PAUSED);
        resume.setEnabled(p.state() == ProjectState.PAUSED);
        cancel.setEnabled(live);
        boolean atNewest = version.getSelection() == version.getMaximum();
        version.setMaximum(p.version());
        if (atNewest) {
            version.setSelection(p.version()); // follow the newest unless the user chose an older one
        }
        root.layout(true, true);
    }

    private String formatName() {
        return switch (format.getSelectionIndex()) {
        case 1 -> "zip";
        case 2 -> "npy";
        case 3 -> "keras";
        default -> "h5";
        };
    }

    private void download() {
        if (shown == null) {
            return;
        }
        String ext = formatName();
        FileDialog dialog = new FileDialog(root.getShell(), SWT.SAVE);
        dialog.setOverwrite(true);
        dialog.setFileName(shown.id() + "-v" + version.getSelection() + "." + ext);
        dialog.setFilterExtensions(new String[] { "*." + ext });
        String file = dialog.open();
        if (file != null) {
            download(Path.of(file), version.getSelection(), ext);
        }
    }

    /** Downloads a version off the UI thread; the message line says where it went. */
    public void download(Path target, int v, String ext) {
        String id = shown.id();
        message.setText("Downloading version " + v + "…");
        background(() -> {
            Path written = session.client().download(id, v, ext, target);
            return "Saved version " + v + " of " + id + " to " + written;
        });
    }

    private void predict() {
        if (shown == null) {
            return;
        }
        FileDialog in = new FileDialog(root.getShell(), SWT.OPEN);
        in.setText("Inputs to predict on (.npy)");
        in.setFilterExtensions(new String[] { "*.npy" });
        String input = in.open();
        if (input == null) {
            return;
        }
        FileDialog out = new FileDialog(root.getShell(), SWT.SAVE);
        out.setText("Save the predictions as");
        out.setOverwrite(true);
        out.setFileName("predictions.npy");
        String output = out.open();
        if (output != null) {
            predict(Path.of(input), Path.of(output), version.getSelection());
        }
    }

    /** Predicts with a version off the UI thread; the message line says how it went. */
    public void predict(Path input, Path output, int v) {
        String id = shown.id();
        message.setText("Predicting with version " + v + "…");
        background(() -> {
            predictor.predict(session.client(), id, v, input, output);
            return "Predictions of version " + v + " on " + input.getFileName() + " saved to " + output;
        });
    }

    private interface Job {
        String run() throws Exception;
    }

    private void background(Job job) {
        Thread t = new Thread(() -> {
            String text;
            try {
                text = job.run();
            } catch (Exception e) {
                text = "Failed: " + e.getMessage();
            }
            String done = text;
            if (!root.isDisposed()) {
                root.getDisplay().asyncExec(() -> {
                    if (!message.isDisposed()) {
                        message.setText(done);
                        root.layout(true, true);
                    }
                });
            }
        }, "daig-workbench-job");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void unreachable(String text) {
        if (!root.isDisposed() && shown != null) {
            message.setText(text);
        }
    }
}

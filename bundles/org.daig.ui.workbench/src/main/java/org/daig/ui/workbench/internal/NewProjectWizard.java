package org.daig.ui.workbench.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.daig.api.project.Problem;
import org.daig.api.project.ProjectSpec;
import org.daig.requestor.ProjectRefusedException;
import org.daig.requestor.RequestorException;
import org.daig.requestor.RequestorClient.Submission;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.ProgressBar;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/**
 * New project: the model, the data and the settings, each explained where it is entered. "Check"
 * and "Submit" first run the pre-flight checks (settings, then the model and data in a trainer
 * worker) and show each finding in red under its field; only a project without findings is
 * uploaded, with a progress bar and a way to cancel.
 */
public final class NewProjectWizard {

    private final RequestorSession session;
    private final Preflight preflight;
    private final Shell shell;
    /** The fields; scrolled, so the buttons stay on screen however small it is. */
    private final Composite body;
    private final ScrolledComposite scroll;
    private final Map<String, Text> fields = new LinkedHashMap<>();
    private final Map<String, Label> errors = new LinkedHashMap<>();
    private final Combo strategy;
    private final Combo compression;
    private final Label general;
    private final ProgressBar progress;
    private final Button check;
    private final Button submit;
    private final Button cancel;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile boolean busy;
    private String submittedId;

    public NewProjectWizard(Shell parent, RequestorSession session, Preflight preflight) {
        this.session = session;
        this.preflight = preflight;
        shell = new Shell(parent, SWT.DIALOG_TRIM | SWT.RESIZE | SWT.APPLICATION_MODAL);
        shell.setText("New project");
        shell.setLayout(new GridLayout(1, false));
        scroll = new ScrolledComposite(shell, SWT.V_SCROLL);
        scroll.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        scroll.setExpandHorizontal(true);
        scroll.setExpandVertical(true);
        body = new Composite(scroll, SWT.NONE);
        body.setLayout(new GridLayout(3, false));
        scroll.setContent(body);
        section("What to train");
        field("name", "Name", "", "A name for you and the volunteers, e.g. \"fashion MLP\".", false);
        field("model", "Keras model (.keras, .h5)", "",
                "Saved with model.save('model.keras') (Keras 3) or model.save('model.h5'); compiled, the loss and optimizer travel with it.",
                true);
        field("x", "Training data (.npy)", "", "One row per example; the shape after the first axis must match the model's input.", true);
        field("y", "Labels (.npy)", "", "One label per row of the data: class ids, or one-hot rows.", true);
        section("How to train");
        field("epochs", "Epochs per task", "1", "Passes each volunteer makes over its shard before sending its update.", false);
        field("batchSize", "Batch size", "64", "Examples per gradient step in a volunteer's local training.", false);
        field("totalTasks", "Total tasks", "10", "The training data is cut into this many shards; each task trains on one.", false);
        field("taskSize", "Task size (K)", "2",
                "Tasks per round: K volunteers train the same model version, then their updates are averaged into the next version.", false);
        field("maxContributors", "Max contributors", "2", "At most this many volunteers work on the project at once.", false);
        field("validationRate", "Validation rate", "0.1", "Share of rows kept out of training to measure each version (0 to 0.9).", false);
        field("passes", "Passes", "1", "How many times every shard is trained on (each pass is total tasks ÷ K rounds).", false);
        field("seed", "Seed", "1", "Fixes the shard order and shuffles, so a run can be repeated exactly.", false);
        field("loss", "Loss", "", "Leave empty to use the model's; needed when it was saved without compile(), e.g. "
                + "categorical_crossentropy, binary_crossentropy, mse.", false);
        field("optimizer", "Optimizer", "", "Leave empty to use the model's, e.g. adam, sgd, rmsprop.", false);
        field("learningRate", "Learning rate", "", "Leave empty to use the model's (or the optimizer's default), e.g. 0.001.", false);
        new Label(body, SWT.NONE).setText("Strategy");
        strategy = new Combo(body, SWT.READ_ONLY);
        strategy.setItems(ProjectSpec.KBATCH_SYNC, "async-apply", "async-queue", "async-lockfree");
        strategy.select(0);
        strategy.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        hint("kbatch-sync: every round waits for its K results; the average is exactly reproducible. async-apply / async-queue: "
                + "every update makes a version as it comes (async-lockfree: the waiting ones together), scaled by 1/(1+staleness), "
                + "so fast volunteers never wait for slow ones.");
        new Label(body, SWT.NONE).setText("Compression");
        compression = new Combo(body, SWT.READ_ONLY);
        compression.setItems("none", "fp16", "int8", "topk");
        compression.select(0);
        compression.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        hint("How volunteers send their updates: fp16 halves the bytes, int8 quarters them, topk sends only the largest 0.1 % "
                + "(what it leaves out goes with the next update).");
        general = new Label(shell, SWT.WRAP);
        general.setForeground(red());
        general.setLayoutData(wide(1));
        progress = new ProgressBar(shell, SWT.HORIZONTAL | SWT.SMOOTH);
        progress.setMaximum(1000);
        progress.setLayoutData(wide(1));
        Composite buttons = new Composite(shell, SWT.NONE);
        buttons.setLayout(new GridLayout(3, true));
        buttons.setLayoutData(new GridData(SWT.END, SWT.CENTER, true, false));
        check = new Button(buttons, SWT.PUSH);
        check.setText("Check");
        check.addListener(SWT.Selection, e -> run(false));
        submit = new Button(buttons, SWT.PUSH);
        submit.setText("Submit");
        submit.addListener(SWT.Selection, e -> run(true));
        cancel = new Button(buttons, SWT.PUSH);
        cancel.setText("Cancel");
        cancel.addListener(SWT.Selection, e -> {
            if (busy) {
                cancelled.set(true);
            } else {
                shell.close();
            }
        });
        shell.setDefaultButton(submit);
        org.eclipse.swt.graphics.Point fields = body.computeSize(SWT.DEFAULT, SWT.DEFAULT);
        scroll.setMinSize(fields);
        shell.pack();
        // never taller than the screen: the fields scroll, the buttons stay in view
        int screen = shell.getDisplay().getPrimaryMonitor().getClientArea().height;
        shell.setSize(Math.max(760, shell.getSize().x), Math.min(shell.getSize().y, screen * 9 / 10));
    }

    private Color red() {
        return shell.getDisplay().getSystemColor(SWT.COLOR_DARK_RED);
    }

    private static GridData wide(int span) {
        GridData d = new GridData(SWT.FILL, SWT.CENTER, true, false, span, 1);
        d.widthHint = 640;
        return d;
    }

    private void section(String text) {
        Label l = new Label(body, SWT.NONE);
        l.setText(text);
        org.eclipse.swt.graphics.FontData[] data = l.getFont().getFontData();
        for (org.eclipse.swt.graphics.FontData f : data) {
            f.setStyle(SWT.BOLD);
        }
        org.eclipse.swt.graphics.Font bold = new org.eclipse.swt.graphics.Font(shell.getDisplay(), data);
        l.setFont(bold);
        l.addDisposeListener(e -> bold.dispose());
        l.setLayoutData(wide(3));
    }

    private void hint(String text) {
        new Label(body, SWT.NONE);
        Label l = new Label(body, SWT.WRAP);
        l.setText(text);
        l.setForeground(shell.getDisplay().getSystemColor(SWT.COLOR_DARK_GRAY));
        l.setLayoutData(wide(2));
    }

    private void field(String key, String label, String initial, String explanation, boolean file) {
        new Label(body, SWT.NONE).setText(label);
        Text text = new Text(body, SWT.BORDER | SWT.SINGLE);
        text.setText(initial);
        text.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, file ? 1 : 2, 1));
        text.setToolTipText(explanation);
        if (file) {
            Button browse = new Button(body, SWT.PUSH);
            browse.setText("Browse…");
            browse.addListener(SWT.Selection, e -> {
                FileDialog d = new FileDialog(shell, SWT.OPEN);
                d.setFilterExtensions(new String[] { key.equals("model") ? "*.h5" : "*.npy", "*" });
                String chosen = d.open();
                if (chosen != null) {
                    text.setText(chosen);
                }
            });
        }
        hint(explanation);
        new Label(body, SWT.NONE);
        Label error = new Label(body, SWT.WRAP);
        error.setForeground(red());
        error.setLayoutData(wide(2));
        fields.put(key, text);
        errors.put(key, error);
    }

    public Shell shell() {
        return shell;
    }

    public void open() {
        shell.open();
    }

    /** Sets a field as a user would type it (for tests and for filling in from a previous project). */
    public void set(String key, String value) {
        Text t = fields.get(key);
        t.setText(value);
        t.notifyListeners(SWT.Modify, new org.eclipse.swt.widgets.Event());
    }

    public Button checkButton() {
        return check;
    }

    public Button submitButton() {
        return submit;
    }

    public Button cancelButton() {
        return cancel;
    }

    /** The finding shown under a field, or "" (for tests). */
    public String errorOf(String key) {
        Label l = errors.get(key);
        return l == null ? general.getText() : l.getText();
    }

    public String generalText() {
        return general.getText();
    }

    public boolean busy() {
        return busy;
    }

    /** The id of the project submitted, once it is. */
    public String submittedId() {
        return submittedId;
    }

    // ------------------------------------------------------------------ check and submit

    private void run(boolean andSubmit) {
        if (busy) {
            return;
        }
        clearErrors();
        ProjectSpec settings;
        try {
            settings = settings();
        } catch (NumberFormatException e) {
            return; // the field is marked already
        }
        Path model = path("model");
        Path x = path("x");
        Path y = path("y");
        busy(true, andSubmit ? "Checking, then uploading…" : "Checking the model and the data…");
        Display display = shell.getDisplay();
        Thread worker = new Thread(() -> {
            List<Problem> problems = preflight.problems(settings, model, x, y);
            if (!problems.isEmpty() || !andSubmit) {
                display.asyncExec(() -> finish(problems, problems.isEmpty() ? "No problems found: ready to submit." : null));
                return;
            }
            try {
                Submission s = session.client().submit(settings, model, x, y,
                        (what, file, sent, total) -> display.asyncExec(() -> uploaded(what, sent, total)), cancelled::get);
                display.asyncExec(() -> {
                    submittedId = s.project().id();
                    busy(false, "");
                    session.focus(submittedId);
                    shell.close();
                });
            } catch (ProjectRefusedException refused) {
                display.asyncExec(() -> finish(refused.problems(), null));
            } catch (RequestorException e) {
                display.asyncExec(() -> finish(List.of(), e.getMessage()));
            }
        }, "daig-new-project");
        worker.setDaemon(true);
        worker.start();
    }

    private void uploaded(String what, long sent, long total) {
        if (!progress.isDisposed()) {
            progress.setSelection((int) (1000 * sent / Math.max(1, total)));
            general.setText(String.format(Locale.ROOT, "Uploading %s: %.1f of %.1f MB", what, sent / 1e6, total / 1e6));
        }
    }

    private void finish(List<Problem> problems, String note) {
        if (shell.isDisposed()) {
            return;
        }
        busy(false, note == null ? "" : note);
        StringBuilder unplaced = new StringBuilder(note == null ? "" : note);
        for (Problem p : problems) {
            Label l = errors.get(p.field());
            if (l != null) {
                l.setText(l.getText().isEmpty() ? p.message() : l.getText() + "\n" + p.message());
            } else {
                unplaced.append(unplaced.length() == 0 ? "" : "\n").append(p.field()).append(": ").append(p.message());
            }
        }
        if (!problems.isEmpty() && unplaced.length() == 0) {
            unplaced.append("Nothing was uploaded: fix the fields marked in red.");
        }
        general.setText(unplaced.toString());
        scroll.setMinSize(body.computeSize(SWT.DEFAULT, SWT.DEFAULT));
        shell.layout(true, true);
    }

    private void busy(boolean on, String text) {
        busy = on;
        cancelled.set(false);
        check.setEnabled(!on);
        submit.setEnabled(!on);
        progress.setSelection(0);
        general.setText(text);
        fields.values().forEach(t -> t.setEnabled(!on));
    }

    private void clearErrors() {
        errors.values().forEach(l -> l.setText(""));
        general.setText("");
    }

    private Path path(String key) {
        String s = fields.get(key).getText().trim();
        return s.isEmpty() ? null : Path.of(s);
    }

    private ProjectSpec settings() {
        String name = fields.get("name").getText().trim();
        Path model = path("model");
        return new ProjectSpec(name.isEmpty() && model != null ? model.getFileName().toString() : name, null, null, null, integer("epochs"),
                integer("batchSize"), integer("totalTasks"), integer("taskSize"), integer("maxContributors"), decimal("validationRate"),
                integer("passes"), strategy.getText(), (long) integer("seed"), text("loss"), text("optimizer"), optionalDecimal("learningRate"),
                compression.getText(), null);
    }

    private String text(String key) {
        String s = fields.get(key).getText().trim();
        return s.isEmpty() ? null : s;
    }

    private Double optionalDecimal(String key) {
        return text(key) == null ? null : decimal(key);
    }

    private int integer(String key) {
        try {
            return Integer.parseInt(fields.get(key).getText().trim());
        } catch (NumberFormatException e) {
            errors.get(key).setText("enter a whole number, like " + (key.equals("seed") ? "42" : "2"));
            throw e;
        }
    }

    private double decimal(String key) {
        try {
            return Double.parseDouble(fields.get(key).getText().trim());
        } catch (NumberFormatException e) {
            errors.get(key).setText("enter a number, like 0.1");
            throw e;
        }
    }
}

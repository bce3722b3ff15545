package org.daig.ui.tray.internal;

import java.util.List;
import java.util.function.Consumer;

import org.daig.ui.tray.internal.FirstRun.When;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Spinner;
import org.eclipse.swt.widgets.Text;

/**
 * "Welcome to DAIG": the few questions asked at the first start — take part, which grid (only
 * while this machine is not enrolled), when to train. "Start" hands the answers on; "Later"
 * keeps the defaults. Either way the tray does not ask again (Preferences can).
 */
public final class FirstRunDialog {

    private final Shell shell;
    private final Button participate;
    private final Text coordinatorUrl;
    private final Text enrolmentCode;
    private final Button idle;
    private final Button night;
    private final Button always;
    private final Spinner idleMinutes;
    private final Button onBattery;
    private final Label problems;
    private final Button start;

    /**
     * @param askGrid  whether to ask for the coordinator's address and an enrolment code
     * @param defaults what the fields show first
     * @param onStart  gets the answers when the volunteer presses Start
     * @param onLater  runs when the volunteer presses Later or closes the window
     */
    public FirstRunDialog(Display display, boolean askGrid, FirstRun defaults, Consumer<FirstRun> onStart, Runnable onLater) {
        shell = new Shell(display, SWT.DIALOG_TRIM | SWT.RESIZE);
        shell.setText("Welcome to DAIG");
        shell.setLayout(new GridLayout(1, false));
        Label intro = new Label(shell, SWT.WRAP);
        intro.setText("DAIG lends this computer's idle time to train machine-learning models for a grid. These questions come once;"
                + " Preferences in the tray menu changes the answers later.");
        intro.setLayoutData(wide(560));

        Group part = group("Take part");
        participate = new Button(part, SWT.RADIO);
        participate.setText("Train for the grid while this computer is idle");
        Button notNow = new Button(part, SWT.RADIO);
        notNow.setText("Not now (the tray menu's Participate starts it later)");
        participate.setSelection(defaults.participate());
        notNow.setSelection(!defaults.participate());

        if (askGrid) {
            Group grid = group("Your grid");
            ((GridLayout) grid.getLayout()).numColumns = 2;
            new Label(grid, SWT.NONE).setText("Coordinator address:");
            coordinatorUrl = new Text(grid, SWT.BORDER);
            coordinatorUrl.setText(defaults.coordinatorUrl() == null ? "" : defaults.coordinatorUrl());
            coordinatorUrl.setLayoutData(wide(360));
            new Label(grid, SWT.NONE).setText("Enrolment code:");
            enrolmentCode = new Text(grid, SWT.BORDER);
            enrolmentCode.setMessage("from the grid's admin, or `daig enrol` with your account");
            enrolmentCode.setLayoutData(wide(360));
        } else {
            coordinatorUrl = null;
            enrolmentCode = null;
        }

        Group when = group("When to train");
        ((GridLayout) when.getLayout()).numColumns = 3;
        idle = new Button(when, SWT.RADIO);
        idle.setText("When nobody has used the keyboard or mouse for");
        idleMinutes = new Spinner(when, SWT.BORDER);
        idleMinutes.setValues(Math.max(1, defaults.idleMinutes()), 1, FirstRun.MAX_IDLE_MINUTES, 0, 1, 10);
        new Label(when, SWT.NONE).setText("minutes");
        night = new Button(when, SWT.RADIO);
        night.setText("Only at night (22:00 to 07:00), and when idle as above");
        night.setLayoutData(span(3));
        always = new Button(when, SWT.RADIO);
        always.setText("Whenever there is work (at low priority; for machines nobody sits at)");
        always.setLayoutData(span(3));
        idle.setSelection(defaults.when() == When.IDLE);
        night.setSelection(defaults.when() == When.NIGHT);
        always.setSelection(defaults.when() == When.ALWAYS);
        onBattery = new Button(when, SWT.CHECK);
        onBattery.setText("Also while a laptop runs on battery");
        onBattery.setSelection(defaults.onBattery());
        onBattery.setLayoutData(span(3));

        problems = new Label(shell, SWT.WRAP);
        problems.setForeground(display.getSystemColor(SWT.COLOR_DARK_RED));
        problems.setLayoutData(wide(560));
        Composite buttons = new Composite(shell, SWT.NONE);
        buttons.setLayout(new GridLayout(2, true));
        buttons.setLayoutData(new GridData(SWT.END, SWT.CENTER, true, false));
        Button later = new Button(buttons, SWT.PUSH);
        later.setText("Later");
        start = new Button(buttons, SWT.PUSH);
        start.setText("Start");
        shell.setDefaultButton(start);

        boolean[] answered = { false };
        start.addListener(SWT.Selection, e -> {
            FirstRun answers = answers();
            if (answers.problems().isEmpty()) {
                answered[0] = true;
                shell.close();
                onStart.accept(answers);
            }
        });
        later.addListener(SWT.Selection, e -> shell.close());
        // closed by the volunteer (Later, the window's close button), not disposed at shutdown: that asks again next time
        shell.addListener(SWT.Close, e -> {
            if (!answered[0]) {
                onLater.run();
            }
        });
        for (Control control : new Control[] { coordinatorUrl, enrolmentCode, idleMinutes }) {
            if (control != null) {
                control.addListener(SWT.Modify, e -> check());
            }
        }
        for (Button b : new Button[] { idle, night, always }) {
            b.addListener(SWT.Selection, e -> check());
        }
        check();
        shell.pack();
    }

    private Group group(String title) {
        Group g = new Group(shell, SWT.NONE);
        g.setText(title);
        g.setLayout(new GridLayout(1, false));
        g.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        return g;
    }

    private static GridData wide(int width) {
        GridData d = new GridData(SWT.FILL, SWT.CENTER, true, false);
        d.widthHint = width;
        return d;
    }

    private static GridData span(int columns) {
        GridData d = new GridData(SWT.FILL, SWT.CENTER, true, false);
        d.horizontalSpan = columns;
        return d;
    }

    /** Shows what is wrong, at once; Start is enabled only when nothing is. */
    private void check() {
        List<String> found = answers().problems();
        problems.setText(String.join("\n", found));
        start.setEnabled(found.isEmpty());
        idleMinutes.setEnabled(!always.getSelection());
        shell.layout(true, true);
    }

    /** The answers as the fields show them now. */
    public FirstRun answers() {
        When w = always.getSelection() ? When.ALWAYS : night.getSelection() ? When.NIGHT : When.IDLE;
        return new FirstRun(participate.getSelection(), coordinatorUrl == null ? null : coordinatorUrl.getText(),
                enrolmentCode == null ? null : enrolmentCode.getText(), w, idleMinutes.getSelection(), onBattery.getSelection());
    }

    public void open() {
        shell.open();
    }

    public Shell shell() {
        return shell;
    }

    /** The coordinator address field, or null when the grid is not asked for (for UI tests). */
    public Text coordinatorUrlField() {
        return coordinatorUrl;
    }

    /** The enrolment code field, or null when the grid is not asked for (for UI tests). */
    public Text enrolmentCodeField() {
        return enrolmentCode;
    }

    /** The "Only at night" choice (for UI tests). */
    public Button nightChoice() {
        return night;
    }

    /** The minutes without input (for UI tests). */
    public Spinner idleMinutesField() {
        return idleMinutes;
    }

    /** The Start button (for UI tests). */
    public Button startButton() {
        return start;
    }

    /** The line that says what is wrong (for UI tests). */
    public String problemsShown() {
        return problems.getText();
    }
}

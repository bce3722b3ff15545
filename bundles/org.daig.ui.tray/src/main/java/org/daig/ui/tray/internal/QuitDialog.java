package org.daig.ui.tray.internal;

import java.util.function.Consumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;

/**
 * Asks how to quit while a task is in hand: finish it first (its result still counts), or give it
 * back now (another volunteer takes it over). Our own shell rather than a native message box, so
 * the choice can be driven by UI tests.
 */
public final class QuitDialog {

    /** The volunteer's choice. */
    public enum Choice { FINISH_FIRST, GIVE_BACK_NOW }

    private final Shell shell;

    public QuitDialog(Shell parent, String taskDescription, Consumer<Choice> chosen) {
        shell = parent == null ? new Shell(SWT.DIALOG_TRIM | SWT.APPLICATION_MODAL) : new Shell(parent, SWT.DIALOG_TRIM | SWT.APPLICATION_MODAL);
        shell.setText("Quit DAIG");
        shell.setLayout(new GridLayout(1, false));
        Label text = new Label(shell, SWT.WRAP);
        text.setText("A task is in hand: " + taskDescription + ".\n\nFinish it first and then quit (its result still counts), "
                + "or give it back now so that another volunteer takes it over?");
        GridData wide = new GridData(SWT.FILL, SWT.CENTER, true, false);
        wide.widthHint = 420;
        text.setLayoutData(wide);
        Composite buttons = new Composite(shell, SWT.NONE);
        buttons.setLayout(new GridLayout(3, true));
        buttons.setLayoutData(new GridData(SWT.END, SWT.CENTER, true, false));
        button(buttons, "Finish, then quit", () -> chosen.accept(Choice.FINISH_FIRST));
        button(buttons, "Give back and quit", () -> chosen.accept(Choice.GIVE_BACK_NOW));
        button(buttons, "Cancel", () -> { });
        shell.pack();
    }

    private void button(Composite parent, String label, Runnable action) {
        Button b = new Button(parent, SWT.PUSH);
        b.setText(label);
        b.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        b.addListener(SWT.Selection, e -> {
            shell.close();
            action.run();
        });
    }

    public Shell shell() {
        return shell;
    }

    public void open() {
        shell.open();
    }
}

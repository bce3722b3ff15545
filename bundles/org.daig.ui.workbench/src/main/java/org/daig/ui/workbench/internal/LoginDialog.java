package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.net.URI;
import java.util.Arrays;

import org.daig.requestor.RequestorException;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;

/**
 * Asks for the coordinator's address, the account and its password, and logs in off the UI
 * thread; the dialog stays open with the coordinator's words when that fails. It does not block
 * its caller (no nested event loop): {@code onDone} runs on the UI thread once logged in. An
 * empty password connects without an account, for a coordinator that has none.
 */
public final class LoginDialog {

    private final Shell shell;
    private final Text address;
    private final Text user;
    private final Text password;
    private final Label message;
    private final Button login;
    private final RequestorSession session;
    private final Runnable onDone;

    public LoginDialog(Shell parent, RequestorSession session, String coordinator, String why, Runnable onDone) {
        this.session = session;
        this.onDone = onDone;
        shell = new Shell(parent, SWT.DIALOG_TRIM | SWT.APPLICATION_MODAL);
        shell.setText("Log in to a DAIG coordinator");
        shell.setLayout(new GridLayout(2, false));
        Label intro = new Label(shell, SWT.WRAP);
        intro.setText(why == null ? "The coordinator's address, your account and its password." : why);
        GridData wide = new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1);
        wide.widthHint = 380;
        intro.setLayoutData(wide);
        address = field("Coordinator", SWT.BORDER | SWT.SINGLE, coordinator);
        address.setToolTipText("e.g. http://grid.example.org:7700");
        user = field("User", SWT.BORDER | SWT.SINGLE, session.lastUser() == null ? "" : session.lastUser());
        password = field("Password", SWT.BORDER | SWT.SINGLE | SWT.PASSWORD, "");
        password.setToolTipText("Leave it empty for a coordinator without accounts");
        message = new Label(shell, SWT.WRAP);
        GridData messageData = new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1);
        messageData.widthHint = 380;
        message.setLayoutData(messageData);
        Composite buttons = new Composite(shell, SWT.NONE);
        buttons.setLayout(new GridLayout(2, true));
        buttons.setLayoutData(new GridData(SWT.END, SWT.CENTER, true, false, 2, 1));
        login = new Button(buttons, SWT.PUSH);
        login.setText("Log in");
        login.addListener(SWT.Selection, e -> submit());
        Button cancel = new Button(buttons, SWT.PUSH);
        cancel.setText("Cancel");
        cancel.addListener(SWT.Selection, e -> shell.close());
        shell.setDefaultButton(login);
        shell.pack();
        (user.getText().isEmpty() ? user : password).setFocus();
    }

    private Text field(String name, int style, String value) {
        new Label(shell, SWT.NONE).setText(name);
        Text text = new Text(shell, style);
        text.setText(value);
        text.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        return text;
    }

    public LoginDialog open() {
        shell.open();
        return this;
    }

    public Shell shell() {
        return shell;
    }

    public String messageText() {
        return message.getText();
    }

    /** For tests: fills the fields and logs in as a person would. */
    public void submit(String coordinator, String userName, String secret) {
        address.setText(coordinator);
        user.setText(userName);
        password.setText(secret);
        submit();
    }

    private void submit() {
        URI coordinator;
        try {
            coordinator = URI.create(address.getText().trim());
        } catch (IllegalArgumentException e) {
            message.setText("Not an address: write it like http://host:7700");
            return;
        }
        String name = user.getText().trim();
        char[] secret = password.getTextChars();
        password.setText("");
        login.setEnabled(false);
        message.setText(secret.length == 0 ? "Connecting…" : "Logging in…");
        shell.layout(true, true);
        Thread t = new Thread(() -> {
            String failure = null;
            try {
                if (secret.length == 0) {
                    session.connect(coordinator, null, null);
                } else {
                    session.login(coordinator, name, secret);
                }
            } catch (RequestorException | IOException e) {
                failure = e.getMessage();
            } catch (IllegalArgumentException e) {
                failure = e.getMessage() + " (write the address like http://host:7700)";
            } finally {
                Arrays.fill(secret, '\0');
            }
            String problem = failure;
            if (!shell.isDisposed()) {
                shell.getDisplay().asyncExec(() -> done(problem));
            }
        }, "daig-workbench-login");
        t.setDaemon(true);
        t.start();
    }

    private void done(String problem) {
        if (shell.isDisposed()) {
            return;
        }
        if (problem != null) {
            message.setText(problem);
            login.setEnabled(true);
            password.setFocus();
            shell.layout(true, true);
            shell.pack();
            return;
        }
        shell.close();
        onDone.run();
    }
}

package org.daig.ui.workbench.internal;

import java.util.List;
import java.util.function.Supplier;

import org.daig.api.project.ProjectView;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;

/**
 * The requestor's projects on the connected coordinator: state, progress and accuracy, refreshed
 * every second. Choosing one shows it on the dashboard; "New project…" opens the wizard.
 * "Connect…" asks for the coordinator, the account and its password; so does a coordinator that
 * answers 401 (no login yet, or the session expired), once until the next login.
 */
public final class ProjectsView implements RequestorSession.Listener {

    private final RequestorSession session;
    private final Composite root;
    private final Text coordinator;
    private final Label connection;
    private final Table table;
    private LoginDialog dialog;
    /** Whether the coordinator's 401 already opened the login dialog since the last login. */
    private boolean askedAfterRefusal;

    public ProjectsView(Composite parent, RequestorSession session, Supplier<NewProjectWizard> wizards) {
        this.session = session;
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(3, false));
        new Label(root, SWT.NONE).setText("Coordinator");
        coordinator = new Text(root, SWT.BORDER | SWT.SINGLE);
        coordinator.setText(session.coordinator().toString());
        coordinator.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        coordinator.setToolTipText("The coordinator's address, e.g. http://grid.example.org:7700; remembered for the next start");
        Button connect = new Button(root, SWT.PUSH);
        connect.setText("Connect…");
        connect.setToolTipText("Log in to the coordinator with your account");
        connect.addListener(SWT.Selection, e -> connect());
        coordinator.addListener(SWT.DefaultSelection, e -> connect());
        connection = new Label(root, SWT.WRAP);
        connection.setText("connecting…");
        GridData wraps = new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1);
        wraps.widthHint = 320; // long messages ("cannot reach ...") wrap instead of widening the view
        connection.setLayoutData(wraps);
        table = new Table(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String c : new String[] { "Project", "Name", "State", "Round", "Val. accuracy", "ETA" }) {
            new TableColumn(table, SWT.LEFT).setText(c);
        }
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        table.addListener(SWT.Selection, e -> {
            TableItem[] selected = table.getSelection();
            if (selected.length == 1) {
                session.focus((String) selected[0].getData());
            }
        });
        Button create = new Button(root, SWT.PUSH);
        create.setText("New project…");
        create.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false, 3, 1));
        create.addListener(SWT.Selection, e -> wizards.get().open());
        session.addListener(this);
        root.addDisposeListener(e -> session.removeListener(this));
    }

    public Composite control() {
        return root;
    }

    public Table table() {
        return table;
    }

    public String connectionText() {
        return connection.getText();
    }

    private void connect() {
        askFor(null);
    }

    /** Opens the login dialog (or brings it forward) for the address in the field. */
    public LoginDialog askFor(String why) {
        if (dialog == null || dialog.shell().isDisposed()) {
            dialog = new LoginDialog(root.getShell(), session, coordinator.getText().trim(), why, () -> {
                askedAfterRefusal = false;
                coordinator.setText(session.coordinator().toString());
                connection.setText("connecting to " + session.coordinator() + (session.user() == null ? "" : " as " + session.user()) + "…");
            }).open();
        } else {
            dialog.shell().forceActive();
        }
        return dialog;
    }

    /** The open login dialog, or null (for tests). */
    public LoginDialog loginDialog() {
        return dialog == null || dialog.shell().isDisposed() ? null : dialog;
    }

    @Override
    public void projects(List<ProjectView> projects) {
        if (root.isDisposed()) {
            return;
        }
        connection.setText("Connected to " + session.coordinator() + (session.user() == null ? "" : " as " + session.user()) + " — "
                + projects.size() + " project" + (projects.size() == 1 ? "" : "s"));
        String focus = session.focus();
        table.setRedraw(false);
        table.removeAll();
        for (ProjectView p : projects) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setData(p.id());
            item.setText(new String[] { p.id(), p.spec().name(), Texts.lower(p.state()),
                    Math.min(p.round(), p.totalRounds()) + " / " + p.totalRounds(),
                    p.latest() == null ? "–" : Texts.num(p.latest().accuracy()), Texts.eta(p.etaSeconds()) });
            if (p.id().equals(focus)) {
                table.setSelection(item);
            }
        }
        if (focus == null && !projects.isEmpty()) {
            session.focus(projects.get(projects.size() - 1).id()); // the newest, so the dashboard is never empty
        }
        for (TableColumn c : table.getColumns()) {
            c.pack();
        }
        table.setRedraw(true);
    }

    @Override
    public void unreachable(String message) {
        if (!root.isDisposed()) {
            connection.setText(message);
        }
    }

    @Override
    public void notAuthenticated(String message) {
        if (root.isDisposed()) {
            return;
        }
        connection.setText(message);
        if (!askedAfterRefusal) {
            askedAfterRefusal = true; // once: polling hears the same 401 every second
            askFor(session.loggedIn() ? "The session on " + session.coordinator() + " has ended: log in again."
                    : session.coordinator() + " wants you to log in.");
        }
    }

    /** For tests and the wizard's parent. */
    public Shell shell() {
        return root.getShell();
    }
}

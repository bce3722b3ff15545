package org.daig.ui.tray.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.daig.api.machine.MachineState;
import org.daig.api.volunteer.VolunteerStatus;
import org.daig.api.volunteer.VolunteerStatus.CurrentTask;
import org.daig.api.volunteer.VolunteerStatus.FinishedTask;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;

/**
 * What the provider is doing, in words: the state and why, the task in hand, the machine's
 * readings, credits and the latest tasks. Used by the status window and the stand-in window.
 */
public final class StatusView {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Composite root;
    private final Label headline;
    private final Label coordinator;
    private final Label account;
    private final Label decision;
    private final Label task;
    private final Label machine;
    private final Label idleSource;
    private final Label credits;
    private final Table recent;
    private final Font bold;
    private List<FinishedTask> shownRecent = List.of();

    public StatusView(Composite parent) {
        root = new Composite(parent, SWT.NONE);
        root.setLayout(new GridLayout(2, false));
        FontData[] base = root.getFont().getFontData();
        for (FontData f : base) {
            f.setStyle(SWT.BOLD);
            f.setHeight(f.getHeight() + 2);
        }
        bold = new Font(root.getDisplay(), base);
        root.addDisposeListener(e -> bold.dispose());
        headline = new Label(root, SWT.WRAP);
        headline.setFont(bold);
        headline.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        coordinator = row("Coordinator");
        account = row("Account");
        decision = row("Idle policy");
        task = row("Task");
        machine = row("This machine");
        idleSource = row("Idle time from");
        credits = row("Contributed");
        Label title = new Label(root, SWT.NONE);
        title.setText("Recent tasks");
        title.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        recent = new Table(root, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE);
        recent.setHeaderVisible(true);
        for (String column : new String[] { "Finished", "Project", "Round", "Shard", "Time", "Outcome", "Credit" }) {
            new TableColumn(recent, SWT.LEFT).setText(column);
        }
        GridData table = new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1);
        table.heightHint = recent.getItemHeight() * 6;
        recent.setLayoutData(table);
    }

    private Label row(String name) {
        Label key = new Label(root, SWT.NONE);
        key.setText(name);
        key.setLayoutData(new GridData(SWT.LEFT, SWT.TOP, false, false));
        Label value = new Label(root, SWT.WRAP);
        GridData data = new GridData(SWT.FILL, SWT.TOP, true, false);
        data.widthHint = 420;
        value.setLayoutData(data);
        return value;
    }

    public Composite control() {
        return root;
    }

    public String headline() {
        return headline.getText();
    }

    public void show(VolunteerStatus s) {
        if (s == null) {
            headline.setText("The provider is not running");
            return;
        }
        headline.setText(s.summary());
        coordinator.setText(s.broker() == null ? "no broker configured (config/org.daig.transport.mqtt-provider.cfg)"
                : (s.connected() ? "connected to " : "cannot reach ") + s.broker());
        account.setText(describeAccount(s));
        decision.setText((s.mayRun() ? "may train: " : "does not train: ") + (s.idleReason() == null ? "no decision yet" : s.idleReason())
                + (s.snoozedUntil() == null ? "" : "\nsnoozed until " + TIME.format(s.snoozedUntil())));
        task.setText(describe(s.task()));
        machine.setText(describe(s.machine()));
        idleSource.setText(describeIdleSource(s.machine()));
        credits.setText(String.format(Locale.ROOT, "%,d tasks, %.4f credits (1 credit = 10¹² floating-point operations of training)",
                s.tasksDone(), s.credits()));
        if (s.recent().equals(shownRecent)) {
            root.layout(true, true);
            return; // refilling the table every second would flicker and lose the selection
        }
        shownRecent = s.recent();
        recent.removeAll();
        for (FinishedTask t : s.recent()) {
            TableItem item = new TableItem(recent, SWT.NONE);
            item.setText(new String[] { TIME.format(t.finishedAt()), t.projectId(), Integer.toString(t.round() + 1), Integer.toString(t.shard()),
                    String.format(Locale.ROOT, "%.1f s", t.seconds()), t.outcome(), String.format(Locale.ROOT, "%.4f", t.credit()) });
        }
        for (TableColumn c : recent.getColumns()) {
            c.pack();
        }
        root.layout(true, true);
    }

    /** Whose machine this is on the grid, or what to do to enrol it. */
    static String describeAccount(VolunteerStatus s) {
        if (s.enrolled()) { // "device D of account A at URL" and, over https, the pinned certificate's fingerprint
            return s.enrolment() != null ? s.enrolment().replaceFirst("^enrolled: ", "") : s.account() == null ? "enrolled" : s.account();
        }
        return s.enrolment() == null ? "not enrolled" : s.enrolment();
    }

    public String accountText() {
        return account.getText();
    }

    private static String describe(CurrentTask t) {
        if (t == null) {
            return "none";
        }
        long seconds = Duration.between(t.startedAt(), Instant.now()).toSeconds();
        return String.format(Locale.ROOT, "%s project %s, round %d, shard %d — for %d s%s; due back by %s", t.phase(), t.projectId(),
                t.round() + 1, t.shard(), seconds, t.suspended() ? " (suspended)" : "", TIME.format(t.deadline()));
    }

    /** Which source the input idle time comes from ("GNOME (Mutter IdleMonitor)"); the log says why none answers. */
    static String describeIdleSource(MachineState m) {
        if (m == null) {
            return "no readings yet";
        }
        return m.userIdleSource().isEmpty() ? "no source answers (the provider's log says why)" : m.userIdleSource();
    }

    private static String describe(MachineState m) {
        if (m == null) {
            return "no readings yet";
        }
        StringBuilder b = new StringBuilder();
        b.append(m.userIdleMillis() < 0 ? "input idle time unknown" : "no input for " + m.userIdleMillis() / 1000 + " s");
        b.append(m.foreignCpuLoad() < 0 ? "; CPU use of other programs unknown"
                : String.format(Locale.ROOT, "; other programs use %.0f %% CPU", 100 * m.foreignCpuLoad()));
        b.append(m.foreignGpuUse() ? "; GPU in use by " + m.gpuUsers() : "; GPU free");
        b.append(m.onBattery() ? "; on battery " + m.batteryPercent() + " %" : "; on mains power");
        if (m.cpuTemperature() > 0) {
            b.append(String.format(Locale.ROOT, "; CPU %.0f °C", m.cpuTemperature()));
        }
        return b.toString();
    }
}

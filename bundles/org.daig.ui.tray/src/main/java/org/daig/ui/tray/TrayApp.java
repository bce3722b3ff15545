package org.daig.ui.tray;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.daig.api.volunteer.Volunteer;
import org.daig.api.volunteer.VolunteerStatus;
import org.daig.api.volunteer.VolunteerStatus.State;
import org.daig.ui.DesktopUi;
import org.daig.ui.WorkbenchOpener;
import org.daig.ui.tray.internal.ConfigFiles;
import org.daig.ui.tray.internal.FirstRun;
import org.daig.ui.tray.internal.FirstRunDialog;
import org.daig.ui.tray.internal.NotificationLimiter;
import org.daig.ui.tray.internal.PreferencesDialog;
import org.daig.ui.tray.internal.QuitDialog;
import org.daig.ui.tray.internal.StateIcons;
import org.daig.ui.tray.internal.StatusView;
import org.daig.ui.tray.internal.TrayHost;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.ToolTip;
import org.eclipse.swt.widgets.Tray;
import org.eclipse.swt.widgets.TrayItem;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volunteer's tray icon and its menu. It only presents the provider ({@link Volunteer}) and
 * the configuration; every decision stays with them. Where the desktop shows no tray icon, a
 * small status window stands in and says why. Appears when the desktop's display does
 * ({@link DesktopUi}); runs on its thread only.
 */
@Component(immediate = true, service = TrayApp.class, configurationPid = TrayConfig.PID)
@Designate(ocd = TrayConfig.class)
public class TrayApp {

    private static final Logger LOG = LoggerFactory.getLogger(TrayApp.class);
    private static final int REFRESH_MS = 1000;
    /** The preferences the tray edits, each generated from its component's metatype. */
    static final List<PreferencesDialog.Page> PAGES = List.of(new PreferencesDialog.Page("When to train", "org.daig.monitor.policy"),
            new PreferencesDialog.Page("Tray and notifications", TrayConfig.PID), new PreferencesDialog.Page("Downloads", "org.daig.provider.work"));

    @Reference
    private DesktopUi ui;
    @Reference
    private Volunteer volunteer;
    @Reference
    private ConfigurationAdmin configAdmin;
    @Reference
    private MetaTypeService metatype;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile WorkbenchOpener workbench;

    private BundleContext bundles;
    private volatile TrayConfig config;
    private Autostart autostart;

    // UI-thread state
    private Shell anchor;
    private StateIcons icons;
    private TrayItem trayItem;
    private Menu menu;
    private Shell standIn;
    private StatusView standInView;
    private Shell statusWindow;
    private StatusView statusView;
    private PreferencesDialog preferences;
    private VolunteerStatus last;
    private String lastNotification;
    private ToolTip balloon;
    private boolean quitting;
    private FirstRunDialog firstRun;
    private final NotificationLimiter limiter = new NotificationLimiter(0);

    @Activate
    void activate(BundleContext context, TrayConfig cfg) {
        bundles = context;
        config = cfg;
        limiter.setPerHour(cfg.maxNotificationsPerHour());
        String home = System.getProperty("daig.home", ".");
        boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
        autostart = new Autostart(System.getProperty("os.name", ""), Path.of(System.getProperty("user.home")),
                Path.of(home, "bin", windows ? "daig-desktop.cmd" : "daig-desktop").toAbsolutePath());
        ui.asyncExec(this::create);
    }

    @Modified
    void modified(TrayConfig cfg) {
        boolean rebuild = !cfg.showAs().equals(config.showAs());
        config = cfg;
        ui.asyncExec(() -> limiter.setPerHour(cfg.maxNotificationsPerHour()));
        if (rebuild) {
            ui.asyncExec(() -> {
                dispose();
                create();
            });
        }
    }

    @Deactivate
    void deactivate() {
        Display d = ui.display();
        if (d == null || d.isDisposed()) {
            return;
        }
        if (Display.getCurrent() == d) {
            dispose();
        } else {
            d.syncExec(this::dispose);
        }
    }

    // ----------------------------------------------------------------- building

    private void create() {
        Display display = ui.display();
        anchor = new Shell(display);
        icons = new StateIcons(display);
        String missing = "window".equals(config.showAs()) ? "you chose the status window in Preferences"
                : display.getSystemTray() == null ? "this desktop has no system tray" : TrayHost.missingReason();
        if (missing == null) {
            Tray tray = display.getSystemTray();
            trayItem = new TrayItem(tray, SWT.NONE);
            menu = new Menu(anchor, SWT.POP_UP);
            fillMenu(menu);
            trayItem.addListener(SWT.MenuDetect, e -> menu.setVisible(true));
            trayItem.addListener(SWT.DefaultSelection, e -> openStatus());
            trayItem.addListener(SWT.Selection, e -> openStatus());
        } else {
            openStandIn(missing);
        }
        LOG.info(missing == null ? "Tray icon shown" : "No tray icon ({}): showing the status window instead", missing);
        refresh();
        if (config.firstRun()) {
            askFirstRun();
        }
    }

    // ----------------------------------------------------------------- first run

    /** The welcome questions, with what is configured now as the answers offered. */
    private void askFirstRun() {
        Map<String, Object> provider = Map.of();
        Map<String, Object> policy = Map.of();
        try {
            provider = ConfigFiles.current(configAdmin, FirstRun.PROVIDER_PID);
            policy = ConfigFiles.current(configAdmin, FirstRun.POLICY_PID);
        } catch (IOException e) {
            LOG.warn("Could not read the settings the welcome questions start from: {}", e.getMessage());
        }
        FirstRun.When when = "always".equals(String.valueOf(policy.get("mode")).trim()) ? FirstRun.When.ALWAYS
                : FirstRun.NIGHT.equals(String.valueOf(policy.get("allowedHours")).trim()) ? FirstRun.When.NIGHT : FirstRun.When.IDLE;
        // values from a .cfg file arrive as text, those set through Configuration Admin typed
        int minutes;
        try {
            minutes = Integer.parseInt(String.valueOf(policy.getOrDefault("idleMinutes", "3")).trim());
        } catch (NumberFormatException e) {
            minutes = 3;
        }
        FirstRun offered = new FirstRun(true, String.valueOf(provider.getOrDefault("coordinatorUrl", "http://127.0.0.1:7700")), "", when,
                minutes, Boolean.parseBoolean(String.valueOf(policy.get("runOnBattery")).trim()));
        firstRun = new FirstRunDialog(ui.display(), !volunteer.status().enrolled(), offered, this::answered, this::firstRunDone);
        firstRun.open();
    }

    private void answered(FirstRun answers) {
        try {
            // only what changed: an update restarts the provider
            Map<String, Object> current = ConfigFiles.current(configAdmin, FirstRun.PROVIDER_PID);
            Map<String, Object> changed = new HashMap<>(answers.provider());
            changed.entrySet().removeIf(e -> e.getValue().equals(current.get(e.getKey())));
            if (!changed.isEmpty()) {
                ConfigFiles.update(configAdmin, FirstRun.PROVIDER_PID, changed);
            }
            ConfigFiles.update(configAdmin, FirstRun.POLICY_PID, answers.policy());
            volunteer.participate(answers.participate());
            LOG.info("Welcome questions answered: {}, training {}", answers.participate() ? "taking part" : "not taking part yet",
                    answers.policy());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not keep the answers to the welcome questions: {}", e.getMessage());
            notify("DAIG", "Could not keep your answers: " + e.getMessage() + ". Preferences in this menu sets them.", SWT.ICON_ERROR);
        }
        firstRunDone();
    }

    /** Asked once: the tray's configuration remembers it (Preferences can ask again). */
    private void firstRunDone() {
        try {
            ConfigFiles.update(configAdmin, TrayConfig.PID, Map.of("firstRun", false));
        } catch (IOException e) {
            LOG.warn("Could not remember that the welcome questions were answered: {}", e.getMessage());
        }
    }

    private void openStandIn(String why) {
        standIn = new Shell(ui.display(), SWT.TITLE | SWT.MIN | SWT.CLOSE | SWT.RESIZE);
        standIn.setText("DAIG volunteer");
        standIn.setLayout(new GridLayout(1, false));
        Menu bar = new Menu(standIn, SWT.BAR);
        MenuItem top = new MenuItem(bar, SWT.CASCADE);
        top.setText("&DAIG");
        menu = new Menu(standIn, SWT.DROP_DOWN);
        top.setMenu(menu);
        fillMenu(menu);
        standIn.setMenuBar(bar);
        Label note = new Label(standIn, SWT.WRAP);
        note.setText("This window stands in for the tray icon: " + why + ". Closing it hides it to the taskbar; use DAIG ▸ Quit to stop.");
        GridData wide = new GridData(SWT.FILL, SWT.CENTER, true, false);
        wide.widthHint = 520;
        note.setLayoutData(wide);
        standInView = new StatusView(standIn);
        standInView.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        standIn.addListener(SWT.Close, e -> {
            if (!quitting) {
                e.doit = false;
                standIn.setMinimized(true);
            }
        });
        standIn.setSize(640, 520);
        standIn.open();
    }

    private void fillMenu(Menu m) {
        MenuItem participate = item(m, SWT.RADIO, "Participate", () -> participate(true));
        MenuItem stop = item(m, SWT.RADIO, "Stop", () -> participate(false));
        new MenuItem(m, SWT.SEPARATOR);
        item(m, SWT.PUSH, "Snooze for 1 hour", () -> volunteer.snoozeUntil(Instant.now().plusSeconds(3600)));
        item(m, SWT.PUSH, "Snooze until tomorrow", () -> volunteer.snoozeUntil(
                LocalDate.now().plusDays(1).atTime(LocalTime.of(8, 0)).atZone(ZoneId.systemDefault()).toInstant()));
        MenuItem endSnooze = item(m, SWT.PUSH, "End snooze", () -> volunteer.snoozeUntil(null));
        new MenuItem(m, SWT.SEPARATOR);
        item(m, SWT.PUSH, "Status…", this::openStatus);
        item(m, SWT.PUSH, "Preferences…", this::openPreferences);
        MenuItem open = item(m, SWT.PUSH, "Open Workbench", () -> {
            WorkbenchOpener w = workbench;
            if (w != null) {
                w.openWorkbench();
            }
        });
        MenuItem login = item(m, SWT.CHECK, "Start at login", this::toggleAutostart);
        new MenuItem(m, SWT.SEPARATOR);
        item(m, SWT.PUSH, "Quit…", this::quit);
        // reflect the state each time the menu opens
        m.addListener(SWT.Show, e -> {
            VolunteerStatus s = volunteer.status();
            participate.setSelection(s.participating());
            stop.setSelection(!s.participating());
            endSnooze.setEnabled(s.snoozedUntil() != null);
            open.setEnabled(workbench != null);
            login.setSelection(autostart.isEnabled());
        });
    }

    private MenuItem item(Menu m, int style, String text, Runnable action) {
        MenuItem item = new MenuItem(m, style);
        item.setText(text);
        item.addListener(SWT.Selection, e -> {
            if (style == SWT.RADIO && !item.getSelection()) {
                return; // the radio item being deselected
            }
            try {
                action.run();
            } catch (RuntimeException ex) {
                LOG.warn("'{}' failed: {}", text, ex.getMessage());
                notify("DAIG", "'" + text + "' failed: " + ex.getMessage(), SWT.ICON_ERROR);
            }
            refresh();
        });
        return item;
    }

    // ----------------------------------------------------------------- actions

    private void participate(boolean on) {
        try {
            volunteer.participate(on);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remember the choice: " + e.getMessage(), e);
        }
    }

    private void toggleAutostart() {
        try {
            if (autostart.isEnabled()) {
                autostart.disable();
            } else {
                autostart.enable();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot change " + autostart.where() + ": " + e.getMessage(), e);
        }
    }

    private void openStatus() {
        if (statusWindow == null || statusWindow.isDisposed()) {
            statusWindow = new Shell(ui.display(), SWT.SHELL_TRIM);
            statusWindow.setText("DAIG status");
            statusWindow.setLayout(new GridLayout(1, false));
            statusView = new StatusView(statusWindow);
            statusView.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
            statusWindow.setSize(640, 480);
            statusView.show(volunteer.status());
        }
        statusWindow.open();
        statusWindow.forceActive();
    }

    private void openPreferences() {
        if (preferences == null || preferences.shell().isDisposed()) {
            preferences = new PreferencesDialog(null, bundles, metatype, configAdmin, PAGES);
        }
        preferences.open();
    }

    private void quit() {
        VolunteerStatus s = volunteer.status();
        if (s.task() == null) {
            leave(false);
            return;
        }
        new QuitDialog(null, "project " + s.task().projectId() + ", round " + (s.task().round() + 1) + ", shard " + s.task().shard(),
                choice -> leave(choice == QuitDialog.Choice.GIVE_BACK_NOW)).open();
    }

    private void leave(boolean giveBackNow) {
        quitting = true;
        if (trayItem != null) {
            trayItem.setToolTipText("DAIG: finishing the current task, then quitting");
        }
        volunteer.finishUp(giveBackNow).thenRun(ui::quit);
    }

    // ----------------------------------------------------------------- refresh

    private void refresh() {
        if (anchor == null || anchor.isDisposed()) {
            return;
        }
        VolunteerStatus s = volunteer.status();
        if (trayItem != null) {
            trayItem.setImage(icons.get(s.state()));
            trayItem.setToolTipText("DAIG: " + s.summary());
        }
        if (standIn != null && !standIn.isDisposed()) {
            standIn.setImage(icons.get(s.state()));
            standIn.setText("DAIG volunteer — " + s.state().name().toLowerCase(Locale.ROOT));
            standInView.show(s);
        }
        if (statusWindow != null && !statusWindow.isDisposed() && statusWindow.isVisible()) {
            statusView.show(s);
        }
        notifyChanges(last, s);
        last = s;
        ui.display().timerExec(REFRESH_MS, this::refresh);
    }

    private void notifyChanges(VolunteerStatus before, VolunteerStatus now) {
        if (before == null) {
            return;
        }
        TrayConfig c = config;
        if (now.tasksDone() > before.tasksDone()) {
            double earned = now.credits() - before.credits();
            if (c.notifyTaskDone() || c.notifyCredit()) {
                notify("Task done", (c.notifyTaskDone() ? "A task's result was accepted. " : "")
                        + (c.notifyCredit() ? String.format(Locale.ROOT, "You earned %.4f credits (%.4f in all).", earned, now.credits()) : ""),
                        SWT.ICON_INFORMATION);
            }
        }
        if (c.notifyConnection() && before.connected() != now.connected()) {
            notify(now.connected() ? "Connected" : "Connection lost", now.connected() ? "The coordinator can be reached again."
                    : "The coordinator cannot be reached; DAIG keeps trying.", now.connected() ? SWT.ICON_INFORMATION : SWT.ICON_WARNING);
        }
        if (c.notifyErrors() && now.state() == State.ERROR && now.lastProblem() != null && !now.lastProblem().equals(before.lastProblem())) {
            notify("DAIG needs your attention", now.lastProblem(), SWT.ICON_ERROR);
        }
    }

    private void notify(String title, String body, int icon) {
        String message = limiter.admit(Instant.now(), body);
        if (message == null) {
            LOG.info("Not shown ({} messages an hour at most): {}: {}", config.maxNotificationsPerHour(), title, body);
            return;
        }
        lastNotification = title + ": " + message;
        if (balloon != null && !balloon.isDisposed()) {
            balloon.dispose(); // one at a time: the tray runs for months
        }
        ToolTip tip = new ToolTip(anchor, SWT.BALLOON | icon);
        balloon = tip;
        tip.setText(title);
        tip.setMessage(message);
        tip.setAutoHide(true);
        if (trayItem != null) {
            trayItem.setToolTip(tip);
        } else if (standIn != null && !standIn.isDisposed()) {
            tip.setLocation(standIn.getLocation().x + 40, standIn.getLocation().y + 40);
        }
        tip.setVisible(true);
    }

    private void dispose() {
        for (Shell s : new Shell[] { statusWindow, standIn, preferences == null ? null : preferences.shell(),
                firstRun == null ? null : firstRun.shell(), anchor }) {
            if (s != null && !s.isDisposed()) {
                s.dispose();
            }
        }
        if (trayItem != null && !trayItem.isDisposed()) {
            trayItem.dispose();
        }
        if (icons != null) {
            icons.dispose();
        }
        trayItem = null;
        standIn = null;
        statusWindow = null;
        anchor = null;
    }

    // ----------------------------------------------------------------- for UI tests

    /** The tray's menu (the tray icon's, or the stand-in window's "DAIG" menu). UI thread only. */
    public Menu menu() {
        return menu;
    }

    /** The stand-in window, or null when a tray icon is shown. UI thread only. */
    public Shell standInWindow() {
        return standIn;
    }

    /** The status window once opened. UI thread only. */
    public Shell statusWindow() {
        return statusWindow;
    }

    /** The preferences dialog once opened. UI thread only. */
    public PreferencesDialog preferencesDialog() {
        return preferences;
    }

    /** The welcome questions once asked (shown or answered), else null. UI thread only. */
    public FirstRunDialog firstRunDialog() {
        return firstRun;
    }

    /** The latest notification's title and text. UI thread only. */
    public String lastNotification() {
        return lastNotification;
    }
}

package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;

import org.daig.api.volunteer.Volunteer;
import org.daig.api.volunteer.VolunteerStatus.State;
import org.daig.ui.DesktopUi;
import org.daig.ui.tray.TrayApp;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TabFolder;
import org.junit.jupiter.api.AfterEach;
import org.osgi.service.cm.ConfigurationAdmin;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/**
 * The tray on a real display (Xvfb) over the real provider: it appears when the desktop's display
 * does, stands in as a window where no tray host exists (Xvfb has none), and its menu changes
 * what the provider does.
 */
@SuppressWarnings("restriction") // drives org.daig.ui.tray.internal (x-internal) directly, as a user would
class TrayTest {

    private final Grid grid = new Grid();
    private ServiceRegistration<DesktopUi> desktop;
    private Boolean participatingBefore;

    @AfterEach
    void tearDown() throws Exception {
        Volunteer v = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
        v.snoozeUntil(null);
        if (participatingBefore != null) {
            v.participate(participatingBefore);
        }
        if (desktop != null) {
            desktop.unregister();
        }
        grid.close();
    }

    @Test
    void theTrayMenuChangesWhatTheProviderDoes() throws Exception {
        UiThread ui = UiThread.shared();
        Volunteer volunteer = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
        participatingBefore = volunteer.status().participating();
        grid.welcomeQuestions(false); // asked once, in WelcomeTest
        desktop = ui.offer(grid.context);
        TrayApp tray = Grid.eventually("the tray", () -> grid.service(TrayApp.class, null).orElse(null));
        Grid.await("the tray's menu", () -> ui.sync(() -> tray.menu() != null));

        Shell standIn = ui.sync(tray::standInWindow);
        assertNotNull(standIn, "Xvfb has no tray host: a status window stands in");
        String note = ui.sync(() -> ((Label) standIn.getChildren()[0]).getText());
        assertTrue(note.contains("no system tray"), note);

        ui.choose(tray.menu(), "Stop");
        Grid.await("participation off", () -> !volunteer.status().participating());
        assertEquals(State.STOPPED, volunteer.status().state());
        Grid.await("the window shows it", () -> ui.sync(() -> standIn.getText().endsWith("stopped")));

        ui.choose(tray.menu(), "Participate");
        Grid.await("participation on", () -> volunteer.status().participating());

        ui.choose(tray.menu(), "Snooze for 1 hour");
        assertEquals(State.SNOOZED, volunteer.status().state());
        Duration left = Duration.between(Instant.now(), volunteer.status().snoozedUntil());
        assertTrue(left.toMinutes() >= 59 && left.toMinutes() <= 60, "snoozed for " + left);
        assertTrue(!volunteer.status().mayRun(), "no training while snoozed");
        ui.screenshot(standIn, "tray-status-window");

        ui.choose(tray.menu(), "End snooze");
        assertNull(volunteer.status().snoozedUntil());
        assertTrue(volunteer.status().state() != State.SNOOZED);

        ui.choose(tray.menu(), "Status…");
        Shell status = ui.sync(tray::statusWindow);
        assertTrue(ui.sync(status::isVisible));

        ui.choose(tray.menu(), "Preferences…");
        Shell preferences = ui.sync(() -> tray.preferencesDialog().shell());
        int tabs = ui.sync(() -> ((TabFolder) preferences.getChildren()[0]).getItemCount());
        assertEquals(3, tabs, "one tab per configuration: idle policy, tray, downloads");
        assertEquals(List.of(), ui.sync(() -> tray.preferencesDialog().problems()), "the current settings are valid as they are");
        ui.screenshot(preferences, "tray-preferences");
        // a change applies through Configuration Admin at once
        ConfigurationAdmin configAdmin = grid.configAdmin();
        Object providerBefore = grid.context.getServiceReference(Volunteer.class).getProperty("service.id");
        assertTrue(ui.sync(() -> {
            tray.preferencesDialog().form("org.daig.ui.tray").setValues(Map.of("notifyTaskDone", true));
            return tray.preferencesDialog().save(configAdmin);
        }));
        Dictionary<String, Object> saved = configAdmin.getConfiguration("org.daig.ui.tray", "?").getProperties();
        assertEquals(Boolean.TRUE, saved.get("notifyTaskDone"));
        assertEquals(providerBefore, grid.context.getServiceReference(Volunteer.class).getProperty("service.id"),
                "Apply left the untouched pages alone: the provider was not restarted (it would give its task back)");
        saved.put("notifyTaskDone", false); // back to the default for the other tests
        configAdmin.getConfiguration("org.daig.ui.tray", "?").update(saved);
        ui.run(() -> {
            preferences.close();
            status.close();
        });
    }
}

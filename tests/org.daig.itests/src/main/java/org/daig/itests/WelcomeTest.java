package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Dictionary;
import java.util.Hashtable;

import org.daig.api.volunteer.Volunteer;
import org.daig.ui.DesktopUi;
import org.daig.ui.tray.TrayApp;
import org.daig.ui.tray.internal.FirstRunDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/**
 * The welcome questions on a real display (Xvfb) over the real provider and Configuration Admin:
 * asked when the tray first appears, their answers change participation and the idle policy, and
 * the tray does not ask again; "Later" changes nothing, and is remembered too.
 */
@SuppressWarnings("restriction") // drives org.daig.ui.tray.internal (x-internal) directly, as a user would
class WelcomeTest {

    private static final String POLICY = "org.daig.monitor.policy";

    private final Grid grid = new Grid();
    private UiThread ui;
    private ServiceRegistration<DesktopUi> desktop;
    private Boolean participatingBefore;

    @AfterEach
    void tearDown() throws Exception {
        try {
            Volunteer v = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
            if (participatingBefore != null) {
                v.participate(participatingBefore);
            }
            if (desktop != null) {
                desktop.unregister();
            }
        } finally {
            grid.close(); // deletes the policy and tray settings this test made
        }
    }

    /** The tray as the desktop starts it, and its welcome questions if it asks them. */
    private TrayApp trayAppears() throws Exception {
        desktop = ui.offer(grid.context);
        TrayApp tray = Grid.eventually("the tray", () -> grid.service(TrayApp.class, null).orElse(null));
        Grid.await("the tray's menu", () -> ui.sync(() -> tray.menu() != null));
        return tray;
    }

    private void trayGoes() {
        desktop.unregister();
        desktop = null;
        Grid.await("the tray gone", () -> grid.service(TrayApp.class, null).isEmpty());
    }

    private static void click(Button button) {
        button.notifyListeners(SWT.Selection, new Event());
    }

    /** A radio button as a click leaves its group: it alone selected, then its listeners told. */
    private static void choose(Button radio) {
        for (Control sibling : radio.getParent().getChildren()) {
            if (sibling instanceof Button b && (b.getStyle() & SWT.RADIO) != 0) {
                b.setSelection(b == radio);
            }
        }
        click(radio);
    }

    private Dictionary<String, Object> settings(String pid) {
        try {
            Dictionary<String, Object> props = grid.configAdmin().getConfiguration(pid, "?").getProperties();
            return props == null ? new Hashtable<>() : props;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A provider not taking part, training "always", whose tray has not asked yet: as a fresh
     * install with the demo's policy.
     */
    private Volunteer volunteerNotTakingPart() throws Exception {
        ui = UiThread.shared();
        Volunteer volunteer = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
        participatingBefore = volunteer.status().participating();
        volunteer.participate(false);
        Hashtable<String, Object> policy = new Hashtable<>();
        policy.put("mode", "always");
        policy.put("idleMinutes", "7"); // as text, the way a .cfg file gives it
        grid.update(POLICY, policy);
        grid.welcomeQuestions(true);
        return volunteer;
    }

    @Test
    void askedOnceTheAnswersSetParticipationAndWhenToTrain() throws Exception {
        Volunteer volunteer = volunteerNotTakingPart();
        FirstRunDialog welcome = ui.sync(trayAppears()::firstRunDialog);
        assertTrue(welcome != null && ui.sync(() -> welcome.shell().isVisible()), "the welcome questions, at the tray's first start");
        assertEquals(!volunteer.status().enrolled(), ui.sync(() -> welcome.coordinatorUrlField() != null),
                "the grid is asked for only while this machine is not enrolled");
        assertEquals(7, ui.sync(() -> welcome.idleMinutesField().getSelection()), "the configured minutes are offered");
        ui.run(() -> {
            choose(welcome.nightChoice());
            welcome.idleMinutesField().setSelection(10);
            welcome.idleMinutesField().notifyListeners(SWT.Modify, new Event());
        });
        ui.screenshot(ui.sync(welcome::shell), "welcome");
        ui.run(() -> click(welcome.startButton()));

        Grid.await("taking part, as answered", () -> volunteer.status().participating());
        Dictionary<String, Object> now = settings(POLICY);
        assertEquals("idle", now.get("mode"));
        assertEquals(10, now.get("idleMinutes"));
        assertEquals("22-7", now.get("allowedHours"), "only at night");
        assertEquals(Boolean.FALSE, now.get("runOnBattery"));
        assertEquals(Boolean.FALSE, settings("org.daig.ui.tray").get("firstRun"), "the tray remembers that it asked");

        trayGoes(); // the next start of the desktop
        TrayApp again = trayAppears();
        assertNull(ui.sync(again::firstRunDialog), "asked once: not again at the next start");
    }

    @Test
    void laterChangesNothingAndIsRememberedToo() throws Exception {
        Volunteer volunteer = volunteerNotTakingPart();
        FirstRunDialog welcome = ui.sync(trayAppears()::firstRunDialog);
        assertTrue(welcome != null, "the welcome questions, at the tray's first start");
        ui.run(() -> welcome.shell().close()); // the window's close button: Later
        Grid.await("the tray remembers that it asked", () -> Boolean.FALSE.equals(settings("org.daig.ui.tray").get("firstRun")));
        assertFalse(volunteer.status().participating(), "Later does not start anything");
        assertEquals("always", settings(POLICY).get("mode"), "Later leaves the policy as it was");
        assertNull(settings(POLICY).get("allowedHours"));

        trayGoes();
        TrayApp again = trayAppears();
        assertNull(ui.sync(again::firstRunDialog), "not asked again after Later");
    }
}

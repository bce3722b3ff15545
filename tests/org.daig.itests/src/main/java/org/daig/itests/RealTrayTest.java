package org.daig.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.daig.api.volunteer.Volunteer;
import org.daig.api.volunteer.VolunteerStatus.State;
import org.daig.ui.DesktopUi;
import org.daig.ui.tray.TrayApp;
import org.daig.ui.tray.internal.TrayHost;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Tray;
import org.eclipse.swt.widgets.TrayItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/**
 * The tray icon in a real system-tray host: Debian's {@code trayer} (an XEmbed tray, the kind
 * SWT's GTK tray icon embeds into) runs on the tests' Xvfb. The icon is embedded in trayer's
 * strip and drawn there, a real click on it opens the status window and its menu, the menu
 * changes what the provider does, and the picture on screen changes with the state.
 */
@SuppressWarnings("restriction") // drives org.daig.ui.tray.internal (x-internal) directly, as a user would
class RealTrayTest {

    /** A window's place on the screen (root coordinates), as xwininfo prints it. */
    record Area(int x, int y, int width, int height) {
    }

    /** A line of {@code xwininfo -tree}: id, name, WxH+x+y (to the parent), +X+Y (on the screen). */
    private static final Pattern WINDOW = Pattern.compile(
            "^\\s*(0x[0-9a-f]+) (.*?)\\s+(\\d+)x(\\d+)[+-]-?\\d+[+-]-?\\d+\\s+\\+(-?\\d+)\\+(-?\\d+)\\s*$");
    private static final int CLOSE = 12; // per colour channel: GTK scales the 32-pixel icon to the strip's size

    private final Grid grid = new Grid();
    private final Path shots = Path.of(System.getProperty("daig.screenshots", "target/screenshots"));
    private ServiceRegistration<DesktopUi> desktop;
    private Boolean participatingBefore;
    private Process trayer;
    private UiThread ui;

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (ui != null) {
                ui.run(() -> Arrays.stream(ui.display.getShells()).filter(s -> s.getText().startsWith("DAIG")).forEach(Shell::close));
            }
            Volunteer v = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
            v.snoozeUntil(null);
            if (participatingBefore != null) {
                v.participate(participatingBefore);
            }
            if (desktop != null) {
                desktop.unregister();
            }
        } finally {
            try {
                stopTrayer();
            } finally {
                grid.close();
            }
        }
    }

    private void stopTrayer() throws Exception {
        if (trayer == null) {
            return;
        }
        trayer.destroy();
        if (!trayer.waitFor(10, TimeUnit.SECONDS)) {
            trayer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        // the other UI tests expect Xvfb as it was: no tray host
        Grid.await("trayer gives the system tray back", () -> TrayHost.missingReason() != null);
    }

    @Test
    void theIconShowsInTrayerItsMenuWorksAndItsPictureFollowsTheState() throws Exception {
        assumeTrue(onPath("trayer"), "trayer (Debian's XEmbed system tray) is not installed: ./daig test installs it, or apt-get install trayer");
        assumeTrue(onPath("xwininfo"), "xwininfo is not installed: ./daig test installs it, or apt-get install x11-utils");
        ui = UiThread.shared();
        assumeTrue(TrayHost.missingReason() != null, "another system tray already runs on " + System.getenv("DISPLAY"));
        Files.createDirectories(shots);
        trayer = new ProcessBuilder("trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32")
                .redirectErrorStream(true).redirectOutput(shots.resolve("trayer.log").toFile()).start();
        Grid.await("trayer owns the system tray (_NET_SYSTEM_TRAY_S0)", () -> !trayer.isAlive() || TrayHost.missingReason() == null);
        assertTrue(trayer.isAlive(), "trayer ended at once: " + Files.readString(shots.resolve("trayer.log")));

        Volunteer volunteer = Grid.eventually("the provider", () -> grid.service(Volunteer.class, null).orElse(null));
        participatingBefore = volunteer.status().participating();
        try (LogCapture log = new LogCapture()) {
            grid.welcomeQuestions(false); // asked once, in WelcomeTest
            desktop = ui.offer(grid.context);
            log.await("Tray icon shown");
        }
        TrayApp tray = Grid.eventually("the tray", () -> grid.service(TrayApp.class, null).orElse(null));
        assertNull(ui.sync(tray::standInWindow), "with a tray host there is no stand-in window");
        TrayItem item = ui.sync(() -> {
            Tray t = ui.display.getSystemTray();
            return t.getItemCount() == 1 ? t.getItem(0) : null;
        });
        assertNotNull(item, "one tray item");

        // embedded: trayer's strip holds the icon's window, and the icon is drawn there
        Area icon = Grid.eventually("the icon's window inside trayer's strip", this::iconInTrayer);
        assertTrue(icon.width() >= 16 && icon.height() >= 16, "the icon has a visible size: " + icon);

        ui.choose(tray.menu(), "Stop");
        Grid.await("participation off", () -> !volunteer.status().participating());
        Grid.await("the icon says stopped", () -> stateOf(volunteer) == State.STOPPED);
        RGB stopped = discColour(ui.sync(() -> item.getImage().getImageData()));
        Grid.await("the stopped icon (" + stopped + ") drawn in trayer", () -> shown(icon, stopped) >= 20);
        screenshot(new Area(icon.x() - 8, 0, icon.width() + 16, 40), "tray-in-trayer-stopped");

        ui.choose(tray.menu(), "Participate");
        Grid.await("participation on", () -> volunteer.status().participating());
        ui.choose(tray.menu(), "Snooze for 1 hour");
        assertEquals(State.SNOOZED, volunteer.status().state());
        Grid.await("the tray item shows the snoozed picture", () -> !discColour(ui.sync(() -> item.getImage().getImageData())).equals(stopped));
        RGB snoozed = discColour(ui.sync(() -> item.getImage().getImageData()));
        assertFalse(close(snoozed, stopped), "snoozed " + snoozed + " and stopped " + stopped + " look different");
        Grid.await("the snoozed icon (" + snoozed + ") drawn in trayer instead of the stopped one",
                () -> shown(icon, snoozed) >= 20 && shown(icon, stopped) < 5);
        assertTrue(ui.sync(item::getToolTipText).startsWith("DAIG: "), "the tooltip says what DAIG does");

        // a real click (XTest) on the icon in trayer: left opens the status window, right the menu
        press(icon, 1);
        release(1);
        Grid.await("the status window opened by clicking the icon", () -> ui.sync(() -> {
            Shell s = tray.statusWindow();
            return s != null && !s.isDisposed() && s.isVisible();
        }));
        ui.run(() -> tray.statusWindow().close());
        press(icon, 3); // GTK opens the menu on the press; released once it is closed, so no item is chosen
        try {
            Grid.await("the menu opened by right-clicking the icon", () -> ui.sync(() -> tray.menu().isVisible()));
            screenshot(new Area(icon.x() + icon.width() - 260, 0, 260, 300), "tray-in-trayer-menu");
        } finally {
            ui.run(() -> tray.menu().setVisible(false));
            release(3);
        }

        ui.choose(tray.menu(), "End snooze");
        assertNull(volunteer.status().snoozedUntil());
        Grid.await("the snoozed icon gone from trayer", () -> shown(icon, snoozed) < 5);
    }

    private static boolean onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    private State stateOf(Volunteer volunteer) {
        return volunteer.status().state();
    }

    /** The biggest window inside trayer's strip ("panel"), once it is the icon's (16 pixels or more). */
    private Area iconInTrayer() {
        String panel = null;
        for (String line : xwininfo("-root", "-tree").split("\n")) {
            if (line.contains("\"panel\": (\"panel\" \"trayer\")")) {
                panel = line.trim().split(" ")[0];
            }
        }
        if (panel == null) {
            return null;
        }
        Area best = null;
        for (String line : xwininfo("-id", panel, "-tree").split("\n")) {
            Matcher m = WINDOW.matcher(line);
            if (m.matches()) {
                Area a = new Area(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)), Integer.parseInt(m.group(3)),
                        Integer.parseInt(m.group(4)));
                if (best == null || a.width() * a.height() > best.width() * best.height()) {
                    best = a;
                }
            }
        }
        return best != null && best.width() >= 16 && best.height() >= 16 && best.x() >= 0 ? best : null;
    }

    private static String xwininfo(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "xwininfo";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS), "xwininfo ended");
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("xwininfo " + String.join(" ", args) + ": " + e.getMessage(), e);
        }
    }

    /** The icon's main colour: the commonest opaque pixel (the disc; the glyph is smaller). */
    private static RGB discColour(ImageData image) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                if (image.getAlpha(x, y) == 255) {
                    counts.merge(image.getPixel(x, y), 1, Integer::sum);
                }
            }
        }
        int pixel = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return image.palette.getRGB(pixel);
    }

    private static boolean close(RGB a, RGB b) {
        return Math.abs(a.red - b.red) <= CLOSE && Math.abs(a.green - b.green) <= CLOSE && Math.abs(a.blue - b.blue) <= CLOSE;
    }

    /** How many pixels of that colour the screen shows in the area now. */
    private int shown(Area area, RGB colour) {
        ImageData screen = grab(area);
        int n = 0;
        for (int y = 0; y < screen.height; y++) {
            for (int x = 0; x < screen.width; x++) {
                if (close(screen.palette.getRGB(screen.getPixel(x, y)), colour)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** What the X server shows in the area (the root window's pixels, as a screenshot has them). */
    private ImageData grab(Area area) {
        return ui.sync(() -> {
            while (ui.display.readAndDispatch()) {
                // draw everything pending first
            }
            Rectangle screen = ui.display.getBounds();
            int x = Math.max(0, area.x());
            int w = Math.min(area.width(), screen.width - x);
            Image image = new Image(ui.display, w, area.height());
            GC gc = new GC(ui.display);
            try {
                gc.copyArea(image, x, area.y());
                return image.getImageData();
            } finally {
                gc.dispose();
                image.dispose();
            }
        });
    }

    private void screenshot(Area area, String name) {
        ImageLoader loader = new ImageLoader();
        loader.data = new ImageData[] { grab(area) };
        loader.save(shots.resolve(name + ".png").toString(), SWT.IMAGE_PNG);
    }

    /** A real mouse button press in the middle of the area, through the X server (SWT posts it with XTest). */
    private void press(Area area, int button) {
        ui.run(() -> {
            Event move = new Event();
            move.type = SWT.MouseMove;
            move.x = area.x() + area.width() / 2;
            move.y = area.y() + area.height() / 2;
            assertTrue(ui.display.post(move), "the X server takes a synthetic pointer move (XTest)");
            Event down = new Event();
            down.type = SWT.MouseDown;
            down.button = button;
            assertTrue(ui.display.post(down), "the X server takes a synthetic button press (XTest)");
        });
    }

    private void release(int button) {
        ui.run(() -> {
            Event up = new Event();
            up.type = SWT.MouseUp;
            up.button = button;
            assertTrue(ui.display.post(up), "the X server takes a synthetic button release (XTest)");
        });
    }
}

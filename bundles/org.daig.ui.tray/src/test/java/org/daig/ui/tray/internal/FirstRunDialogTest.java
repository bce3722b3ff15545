package org.daig.ui.tray.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.daig.ui.tray.internal.FirstRun.When;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The welcome dialog on a real display (the build's Xvfb): what the volunteer types is what comes out, or a named problem. */
class FirstRunDialogTest {

    private static final FirstRun OFFERED = new FirstRun(true, "http://127.0.0.1:7700", "", When.IDLE, 3, false);

    private final List<FirstRun> started = new ArrayList<>();
    private int later;
    private FirstRunDialog dialog;

    private static Display display() {
        Display current = Display.getCurrent();
        return current != null ? current : new Display();
    }

    @AfterEach
    void dispose() {
        if (dialog != null && !dialog.shell().isDisposed()) {
            dialog.shell().dispose();
        }
    }

    private static void click(Button button) {
        button.notifyListeners(SWT.Selection, new Event());
    }

    private static void choose(Button radio) {
        for (var sibling : radio.getParent().getChildren()) {
            if (sibling instanceof Button b && (b.getStyle() & SWT.RADIO) != 0) {
                b.setSelection(b == radio);
            }
        }
        click(radio);
    }

    @Test
    void startHandsOnWhatTheFieldsSay() {
        dialog = new FirstRunDialog(display(), true, OFFERED, started::add, () -> later++);
        dialog.open();
        assertEquals("http://127.0.0.1:7700", dialog.coordinatorUrlField().getText(), "the configured address is offered");
        dialog.coordinatorUrlField().setText("https://grid.example.org:7700");
        dialog.enrolmentCodeField().setText("K7Q-22X");
        choose(dialog.nightChoice());
        dialog.idleMinutesField().setSelection(10);
        dialog.idleMinutesField().notifyListeners(SWT.Modify, new Event());
        assertTrue(dialog.startButton().isEnabled());
        click(dialog.startButton());
        assertEquals(List.of(new FirstRun(true, "https://grid.example.org:7700", "K7Q-22X", When.NIGHT, 10, false)), started);
        assertTrue(dialog.shell().isDisposed(), "Start closes the window");
        assertEquals(0, later, "answered: not a Later");
    }

    @Test
    void aBadAddressIsNamedAtOnceAndNothingIsHandedOn() {
        dialog = new FirstRunDialog(display(), true, OFFERED, started::add, () -> later++);
        dialog.open();
        dialog.coordinatorUrlField().setText("grid.example.org:7700");
        assertFalse(dialog.startButton().isEnabled());
        assertTrue(dialog.problemsShown().startsWith("Coordinator address: starts with http:// or https://"), dialog.problemsShown());
        click(dialog.startButton()); // even if a click got through
        assertEquals(List.of(), started);
        assertFalse(dialog.shell().isDisposed(), "the window stays for the fix");
        dialog.coordinatorUrlField().setText("http://grid.example.org:7700");
        assertEquals("", dialog.problemsShown());
        assertTrue(dialog.startButton().isEnabled());
    }

    @Test
    void anEnrolledMachineIsNotAskedForAGridAndClosingMeansLater() {
        dialog = new FirstRunDialog(display(), false, OFFERED, started::add, () -> later++);
        dialog.open();
        assertNull(dialog.coordinatorUrlField());
        assertEquals(new FirstRun(true, null, null, When.IDLE, 3, false), dialog.answers());
        dialog.shell().close();
        assertEquals(1, later);
        assertEquals(List.of(), started);
    }

    @Test
    void disposedWithoutAnAnswerAsksAgainNextTime() {
        dialog = new FirstRunDialog(display(), false, OFFERED, started::add, () -> later++);
        dialog.open();
        dialog.shell().dispose(); // DAIG quitting while the window is open
        assertEquals(0, later, "not counted as Later: the questions come again at the next start");
    }
}

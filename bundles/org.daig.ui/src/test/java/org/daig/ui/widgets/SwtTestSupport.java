package org.daig.ui.widgets;

import org.eclipse.swt.widgets.Display;

/** SWT allows one Display per thread; all widget tests of this JVM share it. */
final class SwtTestSupport {

    private SwtTestSupport() {
    }

    static Display display() {
        Display current = Display.getCurrent();
        return current != null ? current : new Display();
    }

    /** Runs what the widgets queued (layouts, paints) until nothing is left: no sleeps. */
    static void runPendingEvents() {
        Display display = display();
        while (display.readAndDispatch()) {
            // keep going until idle
        }
    }
}

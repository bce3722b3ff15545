package org.daig.ui;

import org.eclipse.swt.widgets.Display;

/**
 * The desktop's one SWT display and the thread that runs it (the process's main thread, as macOS
 * requires). Registered only while a graphical display is there: the tray and the workbench
 * appear with it and go with it, so a headless provider simply never sees this service.
 */
public interface DesktopUi {

    /** The display; touch its widgets only on its thread ({@link #asyncExec}). */
    Display display();

    /** Runs the action on the UI thread soon; dropped once the display is gone. */
    void asyncExec(Runnable action);

    /** Ends the desktop application, and with it the product. */
    void quit();
}

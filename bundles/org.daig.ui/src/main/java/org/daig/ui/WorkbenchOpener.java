package org.daig.ui;

/**
 * Opens the requestor workbench (or brings it to the front). Offered by the workbench bundle, so
 * the tray can offer "Open Workbench" only when the workbench is installed.
 */
public interface WorkbenchOpener {

    /** Call on the UI thread; returns when the workbench window is up (not when it closes). */
    void openWorkbench();
}

package org.daig.ui;

/**
 * Opens the requestor workbench (or brings it to the front). Offered by the workbench bundle, so
 * the tray can offer "Open Workbench" only when the workbench is installed.
 */
public interface WorkbenchOpener {

    /**
     * Call on the UI thread. Opens the window and runs its event loop until the window closes
     * (everything else on the display keeps being served meanwhile); when it is open already,
     * brings it to the front and returns at once.
     */
    void openWorkbench();
}

package org.daig.ui.internal;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.daig.ui.DesktopUi;
import org.daig.ui.WorkbenchOpener;
import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.swt.SWTError;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desktop product's application: creates the SWT display on the main thread, offers it as
 * {@link DesktopUi} and runs its event loop until the user quits. Without a graphical display
 * (a server, an SSH session) it says so once and keeps the product running headless: the
 * provider works the same either way.
 *
 * <p>Arguments: {@code -workbench} opens the requestor workbench at start.
 */
public class DesktopApplication implements IApplication {

    private static final Logger LOG = LoggerFactory.getLogger(DesktopApplication.class);

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean quit;
    private volatile Display display;

    @Override
    public Object start(IApplicationContext context) throws Exception {
        context.applicationRunning();
        Object given = context.getArguments().get(IApplicationContext.APPLICATION_ARGS); // a raw Map in the Equinox API
        List<String> args = Arrays.asList(given instanceof String[] strings ? strings : new String[0]);
        BundleContext bundles = FrameworkUtil.getBundle(getClass()).getBundleContext();
        Display.setAppName("DAIG");
        try {
            display = new Display();
        } catch (SWTError | UnsatisfiedLinkError e) {
            LOG.warn("No graphical display ({}): running without tray and workbench; the provider works as a service", e.getMessage());
            stopped.await();
            return EXIT_OK;
        }
        ServiceRegistration<DesktopUi> registration = bundles.registerService(DesktopUi.class, new Ui(), null);
        ServiceTracker<WorkbenchOpener, WorkbenchOpener> opener = null;
        if (args.contains("-workbench")) {
            opener = openWorkbenchOnceAvailable(bundles);
        }
        try {
            while (!quit && !display.isDisposed()) {
                try {
                    if (!display.readAndDispatch()) {
                        display.sleep();
                    }
                } catch (RuntimeException e) {
                    // a fault in one view must not end the volunteer's provider
                    LOG.error("Unexpected error in the user interface", e);
                }
            }
        } finally {
            if (opener != null) {
                opener.close();
            }
            registration.unregister(); // the tray and workbench go away here, on this thread
            display.dispose();
        }
        return EXIT_OK;
    }

    private ServiceTracker<WorkbenchOpener, WorkbenchOpener> openWorkbenchOnceAvailable(BundleContext bundles) {
        ServiceTracker<WorkbenchOpener, WorkbenchOpener> tracker = new ServiceTracker<>(bundles, WorkbenchOpener.class, null) {
            private boolean opened;

            @Override
            public WorkbenchOpener addingService(ServiceReference<WorkbenchOpener> reference) {
                WorkbenchOpener service = super.addingService(reference);
                Display d = display;
                if (!opened && service != null && d != null && !d.isDisposed()) {
                    opened = true;
                    d.asyncExec(service::openWorkbench);
                }
                return service;
            }
        };
        tracker.open();
        return tracker;
    }

    @Override
    public void stop() {
        quit = true;
        stopped.countDown();
        Display d = display;
        if (d != null && !d.isDisposed()) {
            try {
                // an open workbench runs E4's own loop inside ours: closing its window ends that loop
                d.asyncExec(() -> {
                    for (Shell shell : d.getShells()) {
                        shell.close();
                    }
                });
            } catch (org.eclipse.swt.SWTException disposed) {
                // gone meanwhile: nothing to close
            }
        }
    }

    private final class Ui implements DesktopUi {
        @Override
        public Display display() {
            return display;
        }

        @Override
        public void asyncExec(Runnable action) {
            Display d = display;
            if (d != null && !d.isDisposed()) {
                try {
                    d.asyncExec(action);
                } catch (org.eclipse.swt.SWTException disposed) {
                    // the desktop is closing; nothing left to draw on
                }
            }
        }

        @Override
        public void quit() {
            stop();
        }
    }
}

package org.daig.ui.workbench;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.daig.api.trainer.WorkerLauncher;
import org.daig.ui.WorkbenchOpener;
import org.daig.ui.workbench.internal.Predictor;
import org.daig.ui.workbench.internal.Preflight;
import org.daig.ui.workbench.internal.RequestorSession;
import org.eclipse.e4.core.contexts.IEclipseContext;
import org.eclipse.e4.ui.internal.workbench.E4Workbench;
import org.eclipse.e4.ui.internal.workbench.swt.E4Application;
import org.eclipse.e4.ui.model.application.ui.basic.MWindow;
import org.eclipse.equinox.app.IApplicationContext;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requestor workbench: an E4 application model (Application.e4xmi: the projects beside the
 * dashboard) rendered on the desktop's display, which the tray's event loop already runs. The
 * workbench's services — the coordinator session, the pre-flight checks, predictions — are put
 * into its context for the parts to inject.
 */
@Component(service = WorkbenchOpener.class)
// E4Application/E4Workbench are x-internal in org.eclipse.e4.ui.workbench(.swt), but they are the only way
// to start an E4 workbench in a running framework without the Eclipse launcher's application model
@SuppressWarnings("restriction")
public class Workbench implements WorkbenchOpener {

    private static final Logger LOG = LoggerFactory.getLogger(Workbench.class);

    @Reference
    private WorkerLauncher launcher;

    private Path settings;
    private E4Workbench running;

    @Activate
    void activate(BundleContext context) {
        String data = Optional.ofNullable(context.getProperty("daig.data.dir")).orElse("daig-data");
        settings = Path.of(data, "workbench", "connection.properties");
    }

    @Deactivate
    void deactivate() {
        E4Workbench w = running;
        if (w != null) {
            Display d = w.getContext().get(Display.class);
            if (d != null && !d.isDisposed()) {
                d.syncExec(w::close);
            }
        }
    }

    /**
     * Opens the workbench window, or brings it to the front. It runs a nested event loop (E4's)
     * until the window is closed; the display keeps serving the tray meanwhile.
     */
    @Override
    public void openWorkbench() {
        if (running != null) {
            for (MWindow window : running.getApplication().getChildren()) {
                if (window.getWidget() instanceof Shell shell && !shell.isDisposed()) {
                    shell.setMinimized(false);
                    shell.forceActive();
                }
            }
            return;
        }
        Display display = Display.getCurrent();
        RequestorSession session = new RequestorSession(display, settings);
        try {
            E4Workbench workbench = new E4Application().createE4Workbench(new ModelContext(), display);
            IEclipseContext context = workbench.getContext();
            context.set(RequestorSession.class, session);
            context.set(Preflight.class, new Preflight(launcher));
            context.set(Predictor.class, new Predictor(launcher));
            running = workbench;
            LOG.info("Workbench opened on {}", session.coordinator());
            workbench.createAndRunUI(workbench.getApplication());
            workbench.close();
        } finally {
            running = null;
            session.close();
        }
    }

    /** The shell of the open workbench window, or null (for tests). Call on the UI thread. */
    public Shell shell() {
        E4Workbench w = running;
        if (w == null) {
            return null;
        }
        return w.getApplication().getChildren().stream().map(MWindow::getWidget).filter(Shell.class::isInstance).map(Shell.class::cast)
                .findFirst().orElse(null);
    }

    /**
     * What E4 reads at start-up: our application model, never a saved one (the layout is small
     * and fixed; nothing to restore), no instance-area lock.
     */
    private static final class ModelContext implements IApplicationContext {
        private final Map<String, Object> arguments = Map.of(APPLICATION_ARGS, new String[] { "-applicationXMI",
                "org.daig.ui.workbench/Application.e4xmi", "-clearPersistedState", "-persistState", "false" });

        @Override
        public Map<String, Object> getArguments() {
            return arguments;
        }

        @Override
        public void applicationRunning() {
        }

        @Override
        public String getBrandingApplication() {
            return null;
        }

        @Override
        public String getBrandingName() {
            return "DAIG Workbench";
        }

        @Override
        public String getBrandingDescription() {
            return "Requestor workbench of the Distributed A.I. Grid";
        }

        @Override
        public String getBrandingId() {
            return null;
        }

        @Override
        public String getBrandingProperty(String key) {
            return null;
        }

        @Override
        public Bundle getBrandingBundle() {
            return null;
        }

        @Override
        public void setResult(Object result, org.eclipse.equinox.app.IApplication application) {
        }
    }
}

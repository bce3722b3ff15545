package org.daig.runtime;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the OSGi framework when the JVM is asked to exit (Ctrl-C, SIGTERM, a service manager).
 * Equinox does not do this itself, and without it no component is deactivated: the bus would not
 * say "offline" and files being written would be cut short.
 */
@Component(service = {})
public class GracefulShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final long STOP_WAIT_MILLIS = 20_000;

    private Thread hook;

    @Activate
    void activate(BundleContext context) {
        Bundle system = context.getBundle(org.osgi.framework.Constants.SYSTEM_BUNDLE_LOCATION);
        hook = new Thread(() -> stopFramework(system), "daig-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Deactivate
    void deactivate() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // we are being stopped by the hook itself
        }
    }

    private static void stopFramework(Bundle system) {
        if (system.getState() != Bundle.ACTIVE) {
            return;
        }
        LOG.info("Shutting down");
        try {
            system.stop();
            if (system instanceof Framework framework) {
                FrameworkEvent event = framework.waitForStop(STOP_WAIT_MILLIS);
                if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                    LOG.warn("Shutdown took longer than {} s; exiting anyway", STOP_WAIT_MILLIS / 1000);
                }
            }
        } catch (BundleException e) {
            LOG.warn("Could not stop the framework cleanly: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

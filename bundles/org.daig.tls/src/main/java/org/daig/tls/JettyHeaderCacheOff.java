package org.daig.tls;

import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

import javax.management.MBeanServer;

import org.eclipse.jetty.jmx.ObjectMBean;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Turns off Jetty's per-connection cache of request header lines on the coordinator's HTTP(S)
 * listeners. Jetty gives each connection a table of the header lines it has parsed, about
 * 100 KiB; a coordinator keeps a connection open per busy provider, and at 10,000 providers these
 * tables were 0.9 of its 1.1 GiB of live heap (docs/measurements.md). They only spare parsing a
 * few repeated lines again.
 *
 * <p>Felix HTTP has no setting for the cache. With {@code org.apache.felix.http.mbeans=true} it
 * hands each part of Jetty, as it adds it, to the {@link MBeanServer} it finds as a service, and
 * it adds each listener before starting it, also whenever it restarts Jetty (as it does when TLS
 * is switched on). So this component offers the platform MBean server as that service, looking at
 * what is registered on the way: a listener's HTTP configuration gets a cache size of 0 before the
 * listener takes its first connection (Jetty reads the size as it opens each one). Without the
 * Felix setting nothing changes.
 */
@Component(immediate = true, service = {})
public class JettyHeaderCacheOff {

    private ServiceRegistration<MBeanServer> registration;

    @Activate
    void activate(BundleContext context) {
        registration = context.registerService(MBeanServer.class, watching(ManagementFactory.getPlatformMBeanServer()), null);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }

    /** {@code target}, turning the header cache off on each of Jetty's listeners and HTTP configurations registered in it. */
    static MBeanServer watching(MBeanServer target) {
        return (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(), new Class<?>[] { MBeanServer.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("registerMBean") && args[0] instanceof ObjectMBean jettyBean) {
                        turnOff(jettyBean.getManagedObject());
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void turnOff(Object jettyPart) {
        if (jettyPart instanceof HttpConfiguration configuration) {
            configuration.setHeaderCacheSize(0);
        } else if (jettyPart instanceof Connector listener) {
            for (ConnectionFactory factory : listener.getConnectionFactories()) {
                if (factory instanceof HttpConnectionFactory http) {
                    http.getHttpConfiguration().setHeaderCacheSize(0);
                }
            }
        }
    }
}

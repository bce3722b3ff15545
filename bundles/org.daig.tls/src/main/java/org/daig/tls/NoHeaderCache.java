package org.daig.tls;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.osgi.service.component.annotations.Component;

/**
 * Turns off Jetty's per-connection cache of request header fields on the HTTP(S) listener.
 * Jetty gives every connection that sends a second request a table of the header lines it saw,
 * about 100 KiB; a coordinator keeps a connection per busy provider, and at 10,000 providers
 * these tables were 0.9 of its 1.1 GiB of live heap (a class histogram during the load test):
 * every young collection then ran beside a nearly full old generation. The cache only spares
 * parsing a few repeated header lines.
 *
 * <p>Felix HTTP has no setting for it (Jetty's {@code headerCacheSize}); its only hook that sees
 * the server is a {@link ConnectorFactory}, called whenever Jetty (re)starts, after the listeners
 * are made and before they take connections. So this is one: it sets the cache size to 0 on
 * every listener, and returns a {@link LocalConnector} as the connector Felix asks for, which
 * has no socket and serves only code holding it (none does).
 */
@Component(service = ConnectorFactory.class)
public class NoHeaderCache implements ConnectorFactory {

    @Override
    public Connector createConnector(Server server) {
        for (Connector connector : server.getConnectors()) {
            for (HttpConnectionFactory http : connector.getConnectionFactories().stream().filter(HttpConnectionFactory.class::isInstance)
                    .map(HttpConnectionFactory.class::cast).toList()) {
                http.getHttpConfiguration().setHeaderCacheSize(0);
            }
        }
        return new LocalConnector(server);
    }
}

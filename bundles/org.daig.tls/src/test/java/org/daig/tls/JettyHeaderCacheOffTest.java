package org.daig.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.jmx.MBeanContainer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real Jetty servers made the way Felix HTTP makes them with {@code org.apache.felix.http.mbeans=true}:
 * an MBean container on the server, the server started, then each listener added and started.
 * With the MBean server {@link JettyHeaderCacheOff} offers, their connections parse without a
 * header cache; with a plain one they keep Jetty's default.
 */
class JettyHeaderCacheOffTest {

    private final List<Server> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Server s : servers) {
            s.stop();
        }
    }

    @Test
    void listenersAddedThroughTheWatchingMBeanServerOpenConnectionsWithoutTheCache() throws Exception {
        MBeanServer mbeans = JettyHeaderCacheOff.watching(MBeanServerFactory.newMBeanServer());
        ServerConnector listener = startJettyAsFelixHttpDoes(mbeans);
        assertEquals(0, cacheSizeOnANewConnection(listener));
        assertEquals(0, cacheSizeOnANewConnection(listener));
        assertFalse(mbeans.queryNames(new ObjectName("org.eclipse.jetty.server:type=serverconnector,*"), null).isEmpty(),
                "the MBeans are registered as before");

        ServerConnector restarted = startJettyAsFelixHttpDoes(mbeans); // Felix HTTP makes a new server when it restarts Jetty
        assertEquals(0, cacheSizeOnANewConnection(restarted));
    }

    @Test
    void aPlainMBeanServerLeavesJettysDefault() throws Exception {
        ServerConnector listener = startJettyAsFelixHttpDoes(MBeanServerFactory.newMBeanServer());
        int size = cacheSizeOnANewConnection(listener);
        assertTrue(size > 0, "Jetty's default gives a connection a header cache: " + size);
    }

    /** A Jetty server with its parts in {@code mbeans}, and a listener on a free loopback port added once it runs. */
    private ServerConnector startJettyAsFelixHttpDoes(MBeanServer mbeans) throws Exception {
        Server server = new Server();
        servers.add(server);
        server.addEventListener(new MBeanContainer(mbeans));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                // answers the header cache size of the connection the request came on
                Object connection = request.getConnectionMetaData().getConnection();
                HttpParser parser = (HttpParser) connection.getClass().getMethod("getParser").invoke(connection);
                Content.Sink.write(response, true, Integer.toString(parser.getHeaderCacheSize()), callback);
                return true;
            }
        });
        server.start();
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(new HttpConfiguration()));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        connector.start();
        return connector;
    }

    /** A client of its own opens a connection of its own. */
    private static int cacheSizeOnANewConnection(ServerConnector connector) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return Integer.parseInt(response.body());
    }
}

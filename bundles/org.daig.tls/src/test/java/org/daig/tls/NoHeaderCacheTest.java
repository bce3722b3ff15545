package org.daig.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** On a real Jetty listener: connections opened after Felix HTTP called {@link NoHeaderCache} parse without a header cache. */
class NoHeaderCacheTest {

    private Server server;
    private ServerConnector connector;

    @BeforeEach
    void start() throws Exception {
        HttpConfiguration configuration = new HttpConfiguration();
        server = new Server();
        connector = new ServerConnector(server, new HttpConnectionFactory(configuration));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
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
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void connectionsOpenedOnceFelixCalledTheFactoryHaveNoHeaderCache() throws Exception {
        int before = cacheSizeOnANewConnection();
        assertTrue(before > 0, "Jetty's default gives a connection a header cache: " + before);

        Connector added = new NoHeaderCache().createConnector(server); // what Felix HTTP does with a ConnectorFactory
        server.addConnector(added);
        added.start();

        assertEquals(0, cacheSizeOnANewConnection());
        assertEquals(0, cacheSizeOnANewConnection());
        assertEquals(2, server.getConnectors().length);
        assertTrue(added instanceof LocalConnector, "the added connector listens on no socket: " + added);
    }

    /** A client of its own opens a connection of its own. */
    private int cacheSizeOnANewConnection() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return Integer.parseInt(response.body());
    }
}

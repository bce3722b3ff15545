package org.daig.ui.workbench.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.daig.api.project.ProjectView;
import org.daig.requestor.NotAuthenticatedException;
import org.daig.requestor.SavedLogin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The workbench's session against a stand-in coordinator that wants a token: a login's token goes
 * with every poll and stays in memory, the command line's login is reused for its own coordinator
 * only, and a 401 tells the views to ask for a login. No display needed.
 */
class RequestorSessionTest {

    private static final String TOKEN = "daig_w1_workbenchsecretworkbench";
    private static final String PASSWORD = "correct horse battery staple";

    @TempDir
    Path tmp;
    private HttpServer server;
    private RequestorSession session;
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<String> heard = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            String answer;
            if (path.equals("/api/v1/login")) {
                boolean right = body.contains("\"password\":\"" + PASSWORD + "\"");
                status = right ? 200 : 401;
                answer = right ? "{\"token\": \"" + TOKEN + "\", \"tokenId\": \"w1\", \"user\": \"alice\", \"roles\": [\"requestor\"],"
                        + " \"expiresAt\": 4102444800000}" : "{\"error\": \"wrong user or password\"}";
            } else {
                authorizations.add(auth == null ? "-" : auth);
                boolean ok = ("Bearer " + TOKEN).equals(auth);
                status = ok ? 200 : 401;
                answer = ok ? "[]" : "{\"error\": \"authentication required\"}";
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    private RequestorSession session(Path cliLogin) throws IOException {
        Path settings = tmp.resolve("workbench/connection.properties");
        Files.createDirectories(settings.getParent());
        Files.writeString(settings, "coordinator=" + base().toString().replace(":", "\\:") + "\n");
        session = new RequestorSession(Runnable::run, () -> false, settings, cliLogin);
        session.addListener(new RequestorSession.Listener() {
            @Override
            public void projects(List<ProjectView> projects) {
                heard.add("projects");
            }

            @Override
            public void notAuthenticated(String message) {
                heard.add("login wanted: " + message);
            }

            @Override
            public void unreachable(String message) {
                heard.add("unreachable: " + message);
            }
        });
        return session;
    }

    private String next() throws InterruptedException {
        String event = heard.poll(10, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("the session told the views nothing in 10 s");
        }
        return event;
    }

    @Test
    void withoutALoginTheViewsAreToldToAskForOne() throws Exception {
        session(tmp.resolve("no-cli-login.json"));

        assertTrue(next().startsWith("login wanted: not logged in to " + base()), heard.toString());
        assertFalse(session.loggedIn());
        assertNull(session.user());
    }

    @Test
    void aLoginsTokenGoesWithEveryPollAndOnlyTheUserIsRemembered() throws Exception {
        session(tmp.resolve("no-cli-login.json"));

        assertEquals("alice", session.login(base(), "alice", PASSWORD.toCharArray()));
        heard.clear();
        while (!next().equals("projects")) {
            // a poll that started before the login may still answer 401
        }

        assertEquals("alice", session.user());
        assertTrue(session.loggedIn());
        assertEquals("Bearer " + TOKEN, authorizations.get(authorizations.size() - 1));
        String remembered = Files.readString(tmp.resolve("workbench/connection.properties"));
        assertTrue(remembered.contains("user=alice"), remembered);
        assertFalse(remembered.contains(TOKEN), "the token stays in memory: " + remembered);
    }

    @Test
    void aWrongPasswordChangesNothing() throws Exception {
        session(tmp.resolve("no-cli-login.json"));

        assertThrows(NotAuthenticatedException.class, () -> session.login(base(), "alice", "wrong password!".toCharArray()));

        assertFalse(session.loggedIn());
    }

    @Test
    void theCommandLinesLoginIsUsedForItsCoordinatorOnly() throws Exception {
        Path cli = tmp.resolve("config/daig/credentials.json");
        new SavedLogin(base().toString(), "alice", TOKEN, "w1", 4102444800000L).write(cli);

        session(cli);
        assertEquals("projects", next());
        assertEquals("alice", session.user());

        session.connect(URI.create("http://127.0.0.1:1"));
        assertFalse(session.loggedIn(), "another coordinator does not get the token");
        assertNull(session.user());
    }
}

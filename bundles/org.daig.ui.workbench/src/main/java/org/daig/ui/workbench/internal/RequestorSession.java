package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectView;
import org.daig.requestor.AccountClient;
import org.daig.requestor.NotAuthenticatedException;
import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;
import org.daig.requestor.SavedLogin;
import org.eclipse.swt.widgets.Display;

/**
 * The workbench's connection to one coordinator: which one and as whom (remembered in a small
 * properties file; the token only in memory), the project in focus, and a poller that fetches the
 * projects and the focused project's versions once a second off the UI thread and hands them to
 * the views on it. A login of the command line ({@code daig login}) for the same coordinator is
 * used as it is; a 401 tells the views to ask for the password again.
 */
public final class RequestorSession {

    /** What the views hear; all called on the UI thread. */
    public interface Listener {
        default void projects(List<ProjectView> projects) {
        }

        default void focused(ProjectView project, List<Progress> versions) {
        }

        default void unreachable(String message) {
        }

        /** The coordinator wants a login (none yet, or the session expired or was revoked). */
        default void notAuthenticated(String message) {
        }
    }

    public static final URI DEFAULT_COORDINATOR = URI.create("http://127.0.0.1:7700");
    private static final long POLL_MS = 1000;

    private final Executor uiThread;
    private final BooleanSupplier closed;
    private final Path settingsFile;
    /** The command line's saved login, reused when it is for the same coordinator. */
    private final Path cliLogin;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "daig-workbench-poll");
        t.setDaemon(true);
        return t;
    });
    private volatile RequestorClient client;
    /** Who the token belongs to; null without a token. */
    private volatile String user;
    /** The user name last logged in with, to offer in the login dialog. */
    private volatile String lastUser;
    private volatile String focus;

    public RequestorSession(Display display, Path settingsFile) {
        this(ui(display), display::isDisposed, settingsFile, SavedLogin.defaultFile());
    }

    /**
     * @param uiThread     runs the listeners' calls on the UI thread
     * @param closed       whether the UI is gone (then nothing is handed to it)
     * @param settingsFile where the coordinator and the user name are remembered
     * @param cliLogin     the command line's saved login ({@link SavedLogin#defaultFile()})
     */
    RequestorSession(Executor uiThread, BooleanSupplier closed, Path settingsFile, Path cliLogin) {
        this.uiThread = uiThread;
        this.closed = closed;
        this.settingsFile = settingsFile;
        this.cliLogin = cliLogin;
        Properties remembered = readSettings();
        URI coordinator = coordinatorOf(remembered);
        Optional<SavedLogin> cli = cliLoginFor(coordinator);
        this.client = new RequestorClient(coordinator, cli.map(SavedLogin::token).orElse(null));
        this.user = cli.map(SavedLogin::user).orElse(null);
        this.lastUser = cli.map(SavedLogin::user).orElse(remembered.getProperty("user"));
        poller.scheduleWithFixedDelay(this::poll, 0, POLL_MS, TimeUnit.MILLISECONDS);
    }

    public RequestorClient client() {
        return client;
    }

    public URI coordinator() {
        return client.coordinator();
    }

    /** Who is logged in, or null. */
    public String user() {
        return user;
    }

    /** The user name last logged in with (also in an earlier run), or null: what the login dialog offers. */
    public String lastUser() {
        return lastUser;
    }

    /** Whether requests carry a token. */
    public boolean loggedIn() {
        return client.hasToken();
    }

    /**
     * Switches to another coordinator and remembers it for the next start; the command line's
     * login is used when it is for that coordinator, otherwise requests go without a token (a
     * coordinator with accounts then asks for a login through {@link Listener#notAuthenticated}).
     */
    public void connect(URI coordinator) throws IOException {
        Optional<SavedLogin> cli = cliLoginFor(coordinator);
        connect(coordinator, cli.map(SavedLogin::token).orElse(null), cli.map(SavedLogin::user).orElse(null));
    }

    /** Switches to another coordinator with a token from elsewhere (a login, a test's account), and remembers it but not the token. */
    public void connect(URI coordinator, String token, String userName) throws IOException {
        client = new RequestorClient(coordinator, token);
        user = token == null ? null : userName;
        if (userName != null) {
            lastUser = userName;
        }
        focus = null;
        remember();
        refreshNow();
    }

    /**
     * Logs in to {@code coordinator} (POST /api/v1/login) and uses the session's token from now
     * on; it stays in memory. Call off the UI thread: the coordinator takes a moment to check a password.
     *
     * @throws org.daig.requestor.NotAuthenticatedException a wrong user or password
     */
    public String login(URI coordinator, String userName, char[] password) throws RequestorException, IOException {
        AccountClient.Session session = new AccountClient(coordinator, null).login(userName, password);
        connect(coordinator, session.token(), session.user());
        return session.user();
    }

    private void remember() throws IOException {
        Properties p = new Properties();
        p.setProperty("coordinator", client.coordinator().toString());
        if (lastUser != null) {
            p.setProperty("user", lastUser);
        }
        Files.createDirectories(settingsFile.toAbsolutePath().getParent());
        Path tmp = settingsFile.resolveSibling(settingsFile.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "DAIG workbench");
        }
        Files.move(tmp, settingsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Properties readSettings() {
        Properties p = new Properties();
        if (Files.exists(settingsFile)) {
            try (InputStream in = Files.newInputStream(settingsFile)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // an unreadable file: start from the default, the user can connect again
            }
        }
        return p;
    }

    private static URI coordinatorOf(Properties remembered) {
        try {
            String saved = remembered.getProperty("coordinator");
            if (saved != null) {
                return URI.create(saved);
            }
            String env = System.getenv("DAIG_COORDINATOR");
            return env == null || env.isBlank() ? DEFAULT_COORDINATOR : URI.create(env);
        } catch (IllegalArgumentException e) {
            return DEFAULT_COORDINATOR;
        }
    }

    /** The command line's saved login when it is for {@code coordinator}: its token never goes to another one. */
    private Optional<SavedLogin> cliLoginFor(URI coordinator) {
        try {
            return SavedLogin.read(cliLogin).filter(login -> login.isFor(coordinator));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty(); // the workbench asks for a login instead
        }
    }

    public void focus(String projectId) {
        focus = projectId;
        refreshNow();
    }

    public String focus() {
        return focus;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    /** Fetches at once instead of waiting for the next poll (after an action or a new focus). */
    public void refreshNow() {
        poller.execute(this::poll);
    }

    public void close() {
        poller.shutdownNow();
    }

    private void poll() {
        RequestorClient c = client;
        String id = focus;
        try {
            List<ProjectView> projects = c.projects();
            ProjectView focused = id == null ? null : c.project(id);
            List<Progress> versions = id == null ? List.of() : c.versions(id);
            ui(() -> listeners.forEach(l -> {
                l.projects(projects);
                if (focused != null) {
                    l.focused(focused, versions);
                }
            }));
        } catch (NotAuthenticatedException e) {
            ui(() -> listeners.forEach(l -> l.notAuthenticated(e.getMessage())));
        } catch (RequestorException e) {
            ui(() -> listeners.forEach(l -> l.unreachable(e.getMessage())));
        } catch (RuntimeException e) {
            ui(() -> listeners.forEach(l -> l.unreachable("unexpected answer: " + e.getMessage())));
        }
    }

    private void ui(Runnable r) {
        if (!closed.getAsBoolean()) {
            uiThread.execute(r);
        }
    }

    private static Executor ui(Display display) {
        return r -> {
            try {
                display.asyncExec(r);
            } catch (org.eclipse.swt.SWTException disposed) {
                // the workbench closed meanwhile
            }
        };
    }
}

package org.daig.ui.workbench.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.daig.api.project.Progress;
import org.daig.api.project.ProjectView;
import org.daig.requestor.RequestorClient;
import org.daig.requestor.RequestorException;
import org.eclipse.swt.widgets.Display;

/**
 * The workbench's connection to one coordinator: which one (remembered in a small properties
 * file), the project in focus, and a poller that fetches the projects and the focused project's
 * versions once a second off the UI thread and hands them to the views on it.
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
    }

    public static final URI DEFAULT_COORDINATOR = URI.create("http://127.0.0.1:7700");
    private static final long POLL_MS = 1000;

    private final Display display;
    private final Path settingsFile;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "daig-workbench-poll");
        t.setDaemon(true);
        return t;
    });
    private volatile RequestorClient client;
    private volatile String focus;

    public RequestorSession(Display display, Path settingsFile) {
        this.display = display;
        this.settingsFile = settingsFile;
        this.client = new RequestorClient(readCoordinator());
        poller.scheduleWithFixedDelay(this::poll, 0, POLL_MS, TimeUnit.MILLISECONDS);
    }

    public RequestorClient client() {
        return client;
    }

    public URI coordinator() {
        return client.coordinator();
    }

    /** Switches to another coordinator and remembers it for the next start. */
    public void connect(URI coordinator) throws IOException {
        client = new RequestorClient(coordinator);
        focus = null;
        Properties p = new Properties();
        p.setProperty("coordinator", coordinator.toString());
        Files.createDirectories(settingsFile.getParent());
        Path tmp = settingsFile.resolveSibling(settingsFile.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "DAIG workbench");
        }
        Files.move(tmp, settingsFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        refreshNow();
    }

    private URI readCoordinator() {
        if (Files.exists(settingsFile)) {
            try (InputStream in = Files.newInputStream(settingsFile)) {
                Properties p = new Properties();
                p.load(in);
                return URI.create(p.getProperty("coordinator", DEFAULT_COORDINATOR.toString()));
            } catch (IOException | IllegalArgumentException e) {
                // an unreadable file: start from the default, the user can connect again
            }
        }
        String env = System.getenv("DAIG_COORDINATOR");
        return env == null || env.isBlank() ? DEFAULT_COORDINATOR : URI.create(env);
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
        } catch (RequestorException e) {
            ui(() -> listeners.forEach(l -> l.unreachable(e.getMessage())));
        } catch (RuntimeException e) {
            ui(() -> listeners.forEach(l -> l.unreachable("unexpected answer: " + e.getMessage())));
        }
    }

    private void ui(Runnable r) {
        if (!display.isDisposed()) {
            try {
                display.asyncExec(r);
            } catch (org.eclipse.swt.SWTException disposed) {
                // the workbench closed meanwhile
            }
        }
    }
}

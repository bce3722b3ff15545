package org.daig.itests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.daig.ui.DesktopUi;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Menu;
import org.eclipse.swt.widgets.MenuItem;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The UI thread of the UI tests: one SWT display for the whole test run (SWT allows one per
 * process), on the virtual X server the build starts; offered as {@link DesktopUi} while a test
 * wants the tray to appear, as the desktop application does in the product.
 */
final class UiThread {

    private static UiThread shared;
    final Display display;

    private UiThread(Display display) {
        this.display = display;
    }

    static synchronized UiThread shared() throws Exception {
        if (shared == null) {
            CompletableFuture<Display> created = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                Display d;
                try {
                    d = new Display();
                } catch (Throwable e) {
                    created.completeExceptionally(new AssertionError("no X display for the UI tests (DISPLAY=" + System.getenv("DISPLAY")
                            + "); the build starts Xvfb: ./daig test installs it (or apt-get install xvfb xauth libgtk-3-0)", e));
                    return;
                }
                created.complete(d);
                while (!d.isDisposed()) {
                    try {
                        if (!d.readAndDispatch()) {
                            d.sleep();
                        }
                    } catch (RuntimeException e) {
                        e.printStackTrace();
                    }
                }
            }, "daig-test-ui");
            t.setDaemon(true);
            t.start();
            shared = new UiThread(created.get(30, TimeUnit.SECONDS));
        }
        return shared;
    }

    /** Registers the display as the desktop's; unregistering makes the tray go away again. */
    ServiceRegistration<DesktopUi> offer(BundleContext context) {
        return context.registerService(DesktopUi.class, new DesktopUi() {
            @Override
            public Display display() {
                return display;
            }

            @Override
            public void asyncExec(Runnable action) {
                display.asyncExec(action);
            }

            @Override
            public void quit() {
                // the test decides when the display ends
            }
        }, null);
    }

    <T> T sync(Supplier<T> action) {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        display.syncExec(() -> {
            try {
                result.set(action.get());
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }

    void run(Runnable action) {
        sync(() -> {
            action.run();
            return null;
        });
    }

    /** Chooses a menu item as a user's click would (radio items select themselves first). */
    void choose(Menu menu, String text) {
        run(() -> {
            for (MenuItem item : menu.getItems()) {
                if (item.getText().equals(text)) {
                    if ((item.getStyle() & SWT.RADIO) != 0) {
                        for (MenuItem other : menu.getItems()) {
                            if ((other.getStyle() & SWT.RADIO) != 0) {
                                other.setSelection(other == item);
                            }
                        }
                    }
                    item.notifyListeners(SWT.Selection, new Event());
                    return;
                }
            }
            throw new AssertionError("no menu item '" + text + "'");
        });
    }

    /** Saves a picture of the shell as it is drawn now to target/screenshots (docs/images gets them from there). */
    void screenshot(Shell shell, String name) throws Exception {
        Path dir = Path.of(System.getProperty("daig.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        run(() -> {
            shell.layout(true, true);
            while (display.readAndDispatch()) {
                // draw everything pending before the picture
            }
            Image image = new Image(display, shell.getSize().x, shell.getSize().y);
            GC gc = new GC(image);
            try {
                shell.print(gc);
                ImageLoader loader = new ImageLoader();
                loader.data = new org.eclipse.swt.graphics.ImageData[] { image.getImageData() };
                loader.save(dir.resolve(name + ".png").toString(), SWT.IMAGE_PNG);
            } finally {
                gc.dispose();
                image.dispose();
            }
        });
    }
}

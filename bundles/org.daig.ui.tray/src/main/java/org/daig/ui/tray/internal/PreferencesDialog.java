package org.daig.ui.tray.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import org.daig.ui.widgets.MetatypeForm;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.ScrolledComposite;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TabFolder;
import org.eclipse.swt.widgets.TabItem;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Preferences, one tab per configuration PID, each form generated from the metatype that
 * describes that configuration (so a new setting appears here without UI work). "Apply" hands the
 * values to Configuration Admin — the components pick them up at once — and writes them to the
 * configuration's .cfg file as well, when it came from one, so they survive a restart.
 */
public final class PreferencesDialog {

    private static final Logger LOG = LoggerFactory.getLogger(PreferencesDialog.class);

    /** A tab: its title and the PID it edits. */
    public record Page(String title, String pid) {
    }

    private final Shell shell;
    private final List<Editor> editors = new ArrayList<>();
    private final Button apply;
    private final Label status;

    private record Editor(String pid, MetatypeForm form) {
    }

    /** The values each form showed when opened or last applied: only what the user changed is saved. */
    private final Map<String, Map<String, Object>> applied = new HashMap<>();

    public PreferencesDialog(Shell parent, BundleContext bundles, MetaTypeService metatype, ConfigurationAdmin config, List<Page> pages) {
        shell = parent == null ? new Shell(SWT.DIALOG_TRIM | SWT.RESIZE) : new Shell(parent, SWT.DIALOG_TRIM | SWT.RESIZE);
        shell.setText("DAIG Preferences");
        shell.setLayout(new GridLayout(1, false));
        TabFolder tabs = new TabFolder(shell, SWT.TOP);
        tabs.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        for (Page page : pages) {
            ObjectClassDefinition ocd = definition(bundles, metatype, page.pid());
            if (ocd == null) {
                continue; // that component's bundle is not installed
            }
            TabItem tab = new TabItem(tabs, SWT.NONE);
            tab.setText(page.title());
            ScrolledComposite scroll = new ScrolledComposite(tabs, SWT.V_SCROLL);
            MetatypeForm form = new MetatypeForm(scroll, ocd, current(config, page.pid()));
            scroll.setContent(form.getControl());
            scroll.setExpandHorizontal(true);
            scroll.setExpandVertical(true);
            scroll.setMinSize(form.getControl().computeSize(620, SWT.DEFAULT));
            tab.setControl(scroll);
            editors.add(new Editor(page.pid(), form));
            applied.put(page.pid(), form.values());
            form.addChangeListener(this::refresh);
        }
        Composite buttons = new Composite(shell, SWT.NONE);
        buttons.setLayout(new GridLayout(3, false));
        buttons.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        status = new Label(buttons, SWT.WRAP);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        apply = new Button(buttons, SWT.PUSH);
        apply.setText("Apply");
        apply.addListener(SWT.Selection, e -> save(config));
        Button close = new Button(buttons, SWT.PUSH);
        close.setText("Close");
        close.addListener(SWT.Selection, e -> shell.close());
        shell.setDefaultButton(apply);
        shell.setSize(720, 640);
        refresh();
    }

    public Shell shell() {
        return shell;
    }

    public void open() {
        shell.open();
    }

    /** Every field's problem, one line each; empty when Apply can save. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        editors.forEach(e -> problems.addAll(e.form().problems()));
        return problems;
    }

    /** The form of one configuration, or null. */
    public MetatypeForm form(String pid) {
        return editors.stream().filter(e -> e.pid().equals(pid)).map(Editor::form).findFirst().orElse(null);
    }

    private void refresh() {
        List<String> problems = problems();
        apply.setEnabled(problems.isEmpty());
        status.setText(problems.isEmpty() ? ""
                : problems.size() == 1 ? "Fix the field marked in red." : "Fix the " + problems.size() + " fields marked in red.");
        status.getParent().layout();
    }

    /** Applies every tab's values; the status line says what happened. */
    public boolean save(ConfigurationAdmin config) {
        try {
            for (Editor e : editors) {
                Configuration c = config.getConfiguration(e.pid(), "?");
                Dictionary<String, Object> props = c.getProperties() == null ? new Hashtable<>() : c.getProperties();
                Map<String, Object> values = e.form().values();
                if (!changes(applied.get(e.pid()), values)) {
                    continue; // an update restarts the component (the provider would give its task back)
                }
                values.forEach(props::put);
                applied.put(e.pid(), values);
                c.update(props);
                Object file = props.get("felix.fileinstall.filename");
                if (file != null) {
                    writeCfg(Path.of(URI.create(file.toString())), props);
                }
            }
            status.setText("Saved; in effect now.");
            status.getParent().layout();
            return true;
        } catch (IOException | RuntimeException ex) {
            LOG.warn("Could not save the preferences: {}", ex.getMessage());
            status.setText("Could not save: " + ex.getMessage());
            status.getParent().layout();
            return false;
        }
    }

    /** Whether any value differs, compared as text (multi-valued attributes are arrays). */
    private static boolean changes(Map<String, Object> before, Map<String, Object> values) {
        for (Map.Entry<String, Object> v : values.entrySet()) {
            if (!text(before.get(v.getKey())).equals(text(v.getValue()))) {
                return true;
            }
        }
        return false;
    }

    private static String text(Object value) {
        return value instanceof Object[] a ? String.join(",", java.util.Arrays.stream(a).map(String::valueOf).toList())
                : String.valueOf(value);
    }

    /** Rewrites the .cfg file with the new values (temp file, then rename: never half a file). */
    private static void writeCfg(Path file, Dictionary<String, Object> props) throws IOException {
        Properties out = new Properties();
        if (Files.exists(file)) {
            try (var in = Files.newInputStream(file)) {
                out.load(in);
            }
        }
        for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (!key.startsWith("service.") && !key.startsWith("felix.fileinstall.")) {
                Object v = props.get(key);
                out.setProperty(key, text(v));
            }
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            out.store(o, "written by DAIG Preferences");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, Object> current(ConfigurationAdmin config, String pid) {
        Map<String, Object> values = new HashMap<>();
        try {
            Configuration c = config.getConfiguration(pid, "?");
            if (c.getProperties() != null) {
                for (Enumeration<String> keys = c.getProperties().keys(); keys.hasMoreElements();) {
                    String key = keys.nextElement();
                    values.put(key, c.getProperties().get(key));
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not read the configuration {}: {}", pid, e.getMessage());
        }
        return values;
    }

    private static ObjectClassDefinition definition(BundleContext bundles, MetaTypeService metatype, String pid) {
        for (Bundle b : bundles.getBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info != null && List.of(info.getPids()).contains(pid)) {
                return info.getObjectClassDefinition(pid, Locale.getDefault().toString());
            }
        }
        return null;
    }
}

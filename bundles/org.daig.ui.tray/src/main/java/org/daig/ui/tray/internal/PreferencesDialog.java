package org.daig.ui.tray.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
                Map<String, Object> values = e.form().values();
                if (!changes(applied.get(e.pid()), values)) {
                    continue; // an update restarts the component (the provider would give its task back)
                }
                ConfigFiles.update(config, e.pid(), values);
                applied.put(e.pid(), values);
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
            if (!ConfigFiles.text(before.get(v.getKey())).equals(ConfigFiles.text(v.getValue()))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> current(ConfigurationAdmin config, String pid) {
        try {
            return ConfigFiles.current(config, pid);
        } catch (IOException e) {
            LOG.warn("Could not read the configuration {}: {}", pid, e.getMessage());
            return new HashMap<>();
        }
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

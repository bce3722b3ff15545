package org.daig.ui.workbench.internal;

import org.eclipse.swt.widgets.Composite;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

/** The E4 part around {@link ProjectsView}; the session and wizard factory come from the workbench's context. */
public class ProjectsPart {

    @Inject
    private RequestorSession session;
    @Inject
    private Preflight preflight;

    @PostConstruct
    void create(Composite parent) {
        new ProjectsView(parent, session, () -> new NewProjectWizard(parent.getShell(), session, preflight));
    }
}

package org.daig.ui.workbench.internal;

import org.eclipse.swt.widgets.Composite;

import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;

/** The E4 part around {@link DashboardView}. */
public class DashboardPart {

    @Inject
    private RequestorSession session;
    @Inject
    private Predictor predictor;

    @PostConstruct
    void create(Composite parent) {
        new DashboardView(parent, session, predictor);
    }
}

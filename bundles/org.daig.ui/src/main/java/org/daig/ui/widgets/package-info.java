/** Reusable SWT widgets: a line chart for per-round metrics and forms generated from metatype. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.ui.widgets;

/** Reusable SWT widgets: a line chart for per-round metrics and forms generated from metatype. */
package org.daig.ui.widgets;

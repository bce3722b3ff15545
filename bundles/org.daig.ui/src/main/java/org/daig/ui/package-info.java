/** The desktop's UI thread and the hand-offs between the tray and the workbench. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.daig.ui;

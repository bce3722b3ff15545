/** The desktop's UI thread and the hand-offs between the tray and the workbench. */
package org.daig.ui;

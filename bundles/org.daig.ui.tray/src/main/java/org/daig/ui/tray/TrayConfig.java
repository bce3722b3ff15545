package org.daig.ui.tray;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The tray's own settings: where it shows itself and what it tells the volunteer unasked. */
@ObjectClassDefinition(name = "Tray and notifications", description = "How DAIG shows itself on the desktop.")
public @interface TrayConfig {

    String PID = "org.daig.ui.tray";

    @AttributeDefinition(name = "Show as", description = "auto: a tray icon where the desktop has a system tray, else a small status window. window: always the status window.",
            options = { @Option(label = "auto", value = "auto"), @Option(label = "window", value = "window") })
    String showAs() default "auto";

    @AttributeDefinition(name = "Notify when a task is done", description = "A short message each time a task's result is accepted.")
    boolean notifyTaskDone() default false;

    @AttributeDefinition(name = "Notify about credit earned", description = "A message with the credit each accepted task earned.")
    boolean notifyCredit() default false;

    @AttributeDefinition(name = "Notify when the connection is lost or back", description = "A message when the coordinator cannot be reached, and when it can again.")
    boolean notifyConnection() default false;

    @AttributeDefinition(name = "Notify about problems", description = "A message when something needs your attention (for example the trainer cannot start).")
    boolean notifyErrors() default true;

    @AttributeDefinition(name = "Most notifications an hour", description = "At most this many messages in any hour; the next one shown says how many were held back. 0: none.",
            min = "0", max = "60")
    int maxNotificationsPerHour() default 4;

    @AttributeDefinition(name = "Ask the welcome questions", description = "At the next start, ask whether to take part, which grid and when to train. DAIG turns this off once they are answered.")
    boolean firstRun() default true;
}
